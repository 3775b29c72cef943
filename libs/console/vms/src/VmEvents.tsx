import { Alert, Bullseye, Content, EmptyState, EmptyStateBody, Label, Spinner, Title } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { AuditRecord, CockpitEvent, FleetVm } from '@cockpit/contracts';
import { can } from '@cockpit/console-access';
import { auditQuery, meQuery, useLiveEvents } from '@cockpit/console-api';
import { formatDateTime } from '@cockpit/console-ui';

/** How many of the live events the tab keeps (newest first). */
const LIVE_KEPT = 100;
/** How many audit records it shows. */
const HISTORY_SHOWN = 50;

type VmEvent = Extract<CockpitEvent, { type: 'vm.state' | 'vm.created' | 'vm.updated' | 'vm.deleted' | 'vm.job' }>;

const isAbout = (event: CockpitEvent, vmId: string): event is VmEvent =>
  (event.type === 'vm.state' ||
    event.type === 'vm.created' ||
    event.type === 'vm.updated' ||
    event.type === 'vm.deleted' ||
    event.type === 'vm.job') &&
  event.data.vmId === vmId;

function describe(event: VmEvent): string {
  switch (event.type) {
    case 'vm.state':
      return event.data.previous ? `${event.data.previous} → ${event.data.state}` : event.data.state;
    case 'vm.created':
      return `created as ${event.data.name}`;
    case 'vm.updated':
      return 'its configuration changed';
    case 'vm.deleted':
      return 'deleted';
    case 'vm.job':
      return `${event.data.kind}: ${event.data.phase}, ${event.data.percent.toFixed(0)}% (${event.data.state})`;
  }
}

function LiveEvents({ vm }: { vm: FleetVm }) {
  const [events, setEvents] = useState<VmEvent[]>([]);
  useLiveEvents((event) => {
    if (isAbout(event, vm.id)) setEvents((held) => [event, ...held].slice(0, LIVE_KEPT));
  });
  if (!events.length) {
    return (
      <Content component="p">Nothing yet: changes to {vm.name} appear here as they happen, while this page is open.</Content>
    );
  }
  return (
    <Table aria-label="Live events" variant="compact">
      <Thead>
        <Tr>
          <Th>When</Th>
          <Th>Event</Th>
          <Th>What happened</Th>
        </Tr>
      </Thead>
      <Tbody>
        {events.map((event) => (
          <Tr key={event.seq}>
            <Td dataLabel="When">{formatDateTime(event.ts)}</Td>
            <Td dataLabel="Event">
              <code>{event.type}</code>
            </Td>
            <Td dataLabel="What happened">{describe(event)}</Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}

const RESULT_COLOR: Record<AuditRecord['result'], 'green' | 'red' | 'orange'> = {
  success: 'green',
  failure: 'red',
  denied: 'orange',
};

/** What was done to the VM through Cockpit, from the audit log (newest first). */
function History({ vm }: { vm: FleetVm }) {
  const history = useQuery(auditQuery({ target: vm.id, limit: HISTORY_SHOWN }));
  let body: ReactNode;
  if (history.isPending) {
    body = (
      <Bullseye>
        <Spinner size="lg" aria-label="Loading the VM’s history" />
      </Bullseye>
    );
  } else if (!history.data) {
    body = (
      <Alert variant="danger" isInline title="Could not load the VM’s history">
        {history.error?.message}
      </Alert>
    );
  } else if (!history.data.items.length) {
    body = (
      <EmptyState titleText="Nothing recorded" headingLevel="h4" variant="xs">
        <EmptyStateBody>No one has acted on this VM through Cockpit yet.</EmptyStateBody>
      </EmptyState>
    );
  } else {
    body = (
      <Table aria-label="History" variant="compact">
        <Thead>
          <Tr>
            <Th>When</Th>
            <Th>Who</Th>
            <Th>Action</Th>
            <Th>Result</Th>
          </Tr>
        </Thead>
        <Tbody>
          {history.data.items.map((record) => (
            <Tr key={record.id}>
              <Td dataLabel="When">{formatDateTime(record.at)}</Td>
              <Td dataLabel="Who">{record.actor.name}</Td>
              <Td dataLabel="Action">
                <code>{record.action}</code>
              </Td>
              <Td dataLabel="Result">
                <Label color={RESULT_COLOR[record.result]} isCompact>
                  {record.result} ({record.status})
                </Label>
              </Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    );
  }
  return body;
}

/** The VM's events: those arriving live while the page is open, and what the audit log recorded about it. */
export function VmEvents({ vm }: { vm: FleetVm }) {
  const me = useQuery(meQuery());
  return (
    <>
      <Title headingLevel="h3">As they happen</Title>
      <LiveEvents vm={vm} />
      <Title headingLevel="h3" style={{ marginTop: 'var(--pf-t--global--spacer--lg)' }}>
        History
      </Title>
      {can(me.data, 'audit.view') ? (
        <History vm={vm} />
      ) : (
        <Content component="p">The VM’s history comes from the audit log, which needs the audit.view permission.</Content>
      )}
    </>
  );
}
