import {
  Alert,
  AlertActionLink,
  Button,
  Content,
  Flex,
  FlexItem,
  Spinner,
  ToggleGroup,
  ToggleGroupItem,
} from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ConsoleKind, FleetVm } from '@cockpit/contracts';
import { meQuery } from '@cockpit/console-api';
import { closeConsoleSocket, useConsoleTicket, type SocketStatus } from './console-session.js';
import { refusalOnVm } from './permissions.js';
import { SerialConsole } from './SerialConsole.js';
import { VncConsole } from './VncConsole.js';

const KIND_LABEL: Record<ConsoleKind, string> = { vnc: 'Graphical (VNC)', serial: 'Serial' };

/** One console connection of the chosen kind: its banner, the screen or terminal, and disconnect/reconnect. */
function ConsoleSessionView({ vm, kind }: { vm: FleetVm; kind: ConsoleKind }) {
  const [attempt, setAttempt] = useState(0);
  const ticket = useConsoleTicket(vm.id, kind, String(attempt));
  const [held, setStatus] = useState<{ ticket: string; status: SocketStatus } | null>(null);
  const reconnect = () => setAttempt((n) => n + 1);

  if (ticket.phase === 'requesting') return <Spinner size="lg" aria-label="Opening the console" />;
  if (ticket.phase === 'failed') {
    return (
      <Alert
        variant="danger"
        isInline
        title={`Could not open the console: ${ticket.error}`}
        actionLinks={<AlertActionLink onClick={reconnect}>Try again</AlertActionLink>}
      />
    );
  }
  const { user, vmName, hostName } = ticket.ticket;
  const status = held?.ticket === ticket.ticket.ticket ? held.status : undefined;
  const onStatus = (next: SocketStatus) => setStatus({ ticket: ticket.ticket.ticket, status: next });
  const who = `as ${user} to ${vmName} on ${hostName}`;
  if (status?.phase === 'closed') {
    return (
      <Alert
        variant="warning"
        isInline
        title={`Disconnected: ${status.reason}`}
        actionLinks={<AlertActionLink onClick={reconnect}>Reconnect</AlertActionLink>}
      />
    );
  }
  return (
    <>
      <Flex alignItems={{ default: 'alignItemsCenter' }} style={{ marginBottom: 'var(--pf-t--global--spacer--sm)' }}>
        <FlexItem>
          <Alert
            variant={status?.phase === 'open' ? 'success' : 'info'}
            isInline
            isPlain
            title={status?.phase === 'open' ? `Connected ${who}` : `Connecting ${who}…`}
          />
        </FlexItem>
        <FlexItem align={{ default: 'alignRight' }}>
          <Button
            variant="link"
            isDisabled={!status}
            onClick={() => status && closeConsoleSocket(status.socket, 'Closed by the user')}
          >
            Disconnect
          </Button>
        </FlexItem>
      </Flex>
      {kind === 'vnc' ? (
        <VncConsole ticket={ticket.ticket} vmName={vm.name} onStatus={onStatus} />
      ) : (
        <SerialConsole ticket={ticket.ticket} vmName={vm.name} onStatus={onStatus} />
      )}
    </>
  );
}

/**
 * The VM's console in the browser, graphical (noVNC) or serial (xterm.js), for a user with
 * vm.console on it. It connects when shown and closes when the tab is left.
 */
export function VmConsoleTab({ vm }: { vm: FleetVm }) {
  const me = useQuery(meQuery());
  const [kind, setKind] = useState<ConsoleKind>('vnc');
  const refusal = refusalOnVm(me.data, 'vm.console', vm);
  if (refusal) return <Content component="p">{refusal}: opening a console needs it.</Content>;
  const running = vm.state === 'running' || vm.state === 'paused';
  return (
    <>
      <ToggleGroup aria-label="Console kind" style={{ marginBottom: 'var(--pf-t--global--spacer--md)' }}>
        {(['vnc', 'serial'] as const).map((option) => (
          <ToggleGroupItem
            key={option}
            text={KIND_LABEL[option]}
            buttonId={`console-kind-${option}`}
            isSelected={kind === option}
            onChange={() => setKind(option)}
          />
        ))}
      </ToggleGroup>
      {running ? (
        <ConsoleSessionView key={kind} vm={vm} kind={kind} />
      ) : (
        <Content component="p">
          {vm.name} is {vm.state}: start it to reach its console.
        </Content>
      )}
    </>
  );
}
