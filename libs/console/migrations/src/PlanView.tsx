import { Alert, Button, Content, List, ListItem, Title } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { Link } from 'react-router';
import type { JobSummary, MovePlan } from '@cockpit/contracts';
import { formatMiB, formatPercent } from '@cockpit/console-ui';
import { TYPE_LABEL } from './format.js';

function Moves({ plan }: { plan: MovePlan }) {
  if (!plan.moves.length) return <Content component="p">Nothing to move.</Content>;
  return (
    <Table aria-label="Planned moves" variant="compact">
      <Thead>
        <Tr>
          <Th>VM</Th>
          <Th>From</Th>
          <Th>To</Th>
          <Th>Type</Th>
          <Th>Memory</Th>
          <Th width={40}>Why this host</Th>
        </Tr>
      </Thead>
      <Tbody>
        {plan.moves.map((move) => (
          <Tr key={move.vmId}>
            <Td dataLabel="VM">
              <Link to={`/vms/${move.vmId}`}>{move.vmName}</Link>
            </Td>
            <Td dataLabel="From">{move.source.name}</Td>
            <Td dataLabel="To">{move.target.name}</Td>
            <Td dataLabel="Type">{TYPE_LABEL[move.type]}</Td>
            <Td dataLabel="Memory">{formatMiB(move.memoryMiB)}</Td>
            <Td dataLabel="Why this host">{move.reason}</Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}

function Unmovable({ plan }: { plan: MovePlan }) {
  return (
    <Table aria-label="VMs that cannot move" variant="compact">
      <Thead>
        <Tr>
          <Th>VM</Th>
          <Th>Why not</Th>
        </Tr>
      </Thead>
      <Tbody>
        {plan.unmovable.map((vm) => (
          <Tr key={vm.vmId}>
            <Td dataLabel="VM">
              <Link to={`/vms/${vm.vmId}`}>{vm.vmName}</Link>
            </Td>
            <Td dataLabel="Why not">
              <List isPlain>
                {vm.reasons.map((reason, index) => (
                  <ListItem key={index}>{reason}</ListItem>
                ))}
              </List>
            </Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}

/** Each host's load before and after the plan, and the spread (highest minus lowest) of each. */
function Spread({ plan }: { plan: MovePlan }) {
  const after = new Map(plan.after.hosts.map((host) => [host.hostId, host]));
  return (
    <>
      <Content component="p">
        Memory spread {formatPercent(plan.before.memorySpread)} → {formatPercent(plan.after.memorySpread)}; CPU spread{' '}
        {formatPercent(plan.before.cpuSpread)} → {formatPercent(plan.after.cpuSpread)}.
      </Content>
      <Table aria-label="Load before and after" variant="compact">
        <Thead>
          <Tr>
            <Th>Host</Th>
            <Th>Memory before</Th>
            <Th>Memory after</Th>
            <Th>CPU before</Th>
            <Th>CPU after</Th>
          </Tr>
        </Thead>
        <Tbody>
          {plan.before.hosts.map((host) => (
            <Tr key={host.hostId}>
              <Td dataLabel="Host">{host.name}</Td>
              <Td dataLabel="Memory before">{formatPercent(host.memoryPercent)}</Td>
              <Td dataLabel="Memory after">{formatPercent(after.get(host.hostId)?.memoryPercent)}</Td>
              <Td dataLabel="CPU before">{formatPercent(host.cpuPercent)}</Td>
              <Td dataLabel="CPU after">{formatPercent(after.get(host.hostId)?.cpuPercent)}</Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    </>
  );
}

/** A plan (evacuation or rebalance): each move and why, what cannot move and why, the spread before and after. */
export function PlanView({ plan }: { plan: MovePlan }) {
  const gap = { marginTop: 'var(--pf-t--global--spacer--md)' };
  return (
    <>
      <Title headingLevel="h3" size="md">
        {plan.moves.length === 1 ? '1 move' : `${plan.moves.length} moves`}
      </Title>
      <Moves plan={plan} />
      {plan.unmovable.length > 0 && (
        <>
          <Title headingLevel="h3" size="md" style={gap}>
            {plan.unmovable.length === 1 ? '1 VM cannot move' : `${plan.unmovable.length} VMs cannot move`}
          </Title>
          <Unmovable plan={plan} />
        </>
      )}
      <Title headingLevel="h3" size="md" style={gap}>
        Spread before and after
      </Title>
      <Spread plan={plan} />
    </>
  );
}

/** What running a plan started: its job and migrations, with the way to follow them. */
export function PlanStarted({
  job,
  migrations,
  followPath,
  onClose,
}: {
  job: JobSummary | null;
  migrations: readonly string[];
  followPath: string;
  onClose: () => void;
}) {
  if (!job || !migrations.length) return <Alert variant="info" isInline title="Nothing was moved: the plan had no moves." />;
  return (
    <Alert
      variant="success"
      isInline
      title={`${migrations.length === 1 ? '1 migration' : `${migrations.length} migrations`} queued`}
    >
      <p>
        They run within the per-host and fleet limits, each checked again as it starts. Follow them on{' '}
        <Link to={followPath} onClick={onClose}>
          the migrations page
        </Link>{' '}
        or{' '}
        <Link to={`/jobs/${job.id}`} onClick={onClose}>
          their job
        </Link>{' '}
        (cancel the job to stop what has not started).
      </p>
      <Button variant="link" isInline onClick={onClose}>
        Close
      </Button>
    </Alert>
  );
}
