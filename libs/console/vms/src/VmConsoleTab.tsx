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
import { useConsoleSession } from './console-session.js';
import { refusalOnVm } from './permissions.js';
import { SerialConsole } from './SerialConsole.js';
import { VncConsole } from './VncConsole.js';

const KIND_LABEL: Record<ConsoleKind, string> = { vnc: 'Graphical (VNC)', serial: 'Serial' };

/** One open console of the chosen kind: its banner, the screen or terminal, and disconnect/reconnect. */
function ConsoleSessionView({ vm, kind }: { vm: FleetVm; kind: ConsoleKind }) {
  const [attempt, setAttempt] = useState(0);
  const session = useConsoleSession(vm.id, kind, String(attempt));
  const reconnect = () => setAttempt((n) => n + 1);

  if (session.phase === 'requesting') return <Spinner size="lg" aria-label="Opening the console" />;
  if (session.phase === 'failed') {
    return (
      <Alert
        variant="danger"
        isInline
        title={`Could not open the console: ${session.error}`}
        actionLinks={<AlertActionLink onClick={reconnect}>Try again</AlertActionLink>}
      />
    );
  }
  const { ticket } = session;
  const who = `as ${ticket.user} to ${ticket.vmName} on ${ticket.hostName}`;
  return (
    <>
      {session.phase === 'closed' ? (
        <Alert
          variant="warning"
          isInline
          title={`Disconnected: ${session.reason}`}
          actionLinks={<AlertActionLink onClick={reconnect}>Reconnect</AlertActionLink>}
        />
      ) : (
        <Flex alignItems={{ default: 'alignItemsCenter' }} style={{ marginBottom: 'var(--pf-t--global--spacer--sm)' }}>
          <FlexItem>
            <Alert
              variant={session.phase === 'open' ? 'success' : 'info'}
              isInline
              isPlain
              title={session.phase === 'open' ? `Connected ${who}` : `Connecting ${who}…`}
            />
          </FlexItem>
          <FlexItem align={{ default: 'alignRight' }}>
            <Button variant="link" onClick={() => session.socket.close(1000, 'Closed by the user')}>
              Disconnect
            </Button>
          </FlexItem>
        </Flex>
      )}
      {session.phase !== 'closed' &&
        (kind === 'vnc' ? (
          <VncConsole socket={session.socket} vmName={vm.name} />
        ) : (
          <SerialConsole socket={session.socket} vmName={vm.name} />
        ))}
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
