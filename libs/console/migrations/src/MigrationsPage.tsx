import {
  Button,
  Card,
  CardBody,
  CardTitle,
  Content,
  Flex,
  FlexItem,
  PageSection,
  Progress,
  Title,
  Tooltip,
} from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { MigrationState, type Migration } from '@cockpit/contracts';
import { canSomewhere } from '@cockpit/console-access';
import { meQuery, migrationsPageQuery } from '@cockpit/console-api';
import {
  formatDateTime,
  formatPercent,
  NONE,
  PagedList,
  type ListColumn,
  type ListFilter,
  type ListRequest,
} from '@cockpit/console-ui';
import { formatMs, isFinished, percentDone, TYPE_LABEL } from './format.js';
import { DateFilter, HostChip, VmChip } from './list-filters.js';
import { RebalanceModal } from './RebalanceModal.js';
import { MigrationStateLabel } from './states.js';

function Outcome({ migration }: { migration: Migration }) {
  if (!isFinished(migration)) {
    const percent = percentDone(migration);
    if (percent === undefined) return <>{migration.reason ?? 'waiting'}</>;
    return (
      <Progress
        value={percent}
        size="sm"
        aria-label={`Progress of the migration of ${migration.vmName}`}
        label={formatPercent(percent)}
        valueText={formatPercent(percent)}
        measureLocation="outside"
      />
    );
  }
  if (migration.state === 'succeeded')
    return <>{migration.downtimeMs === null ? 'done' : `downtime ${formatMs(migration.downtimeMs)}`}</>;
  return <>{migration.reason ?? NONE}</>;
}

const COLUMNS: ListColumn<Migration>[] = [
  {
    title: 'VM',
    sortField: 'vmName',
    cell: (migration) => <Link to={`/migrations/${migration.id}`}>{migration.vmName}</Link>,
  },
  { title: 'From', cell: (migration) => migration.source.name },
  { title: 'To', cell: (migration) => (migration.type === 'storage' ? 'its own host' : migration.target.name) },
  { title: 'Type', cell: (migration) => TYPE_LABEL[migration.type] },
  { title: 'State', sortField: 'state', cell: (migration) => <MigrationStateLabel state={migration.state} /> },
  { title: 'Progress or result', cell: (migration) => <Outcome migration={migration} />, width: 25 },
  { title: 'Took', cell: (migration) => formatMs(migration.durationMs) },
  { title: 'Started by', cell: (migration) => migration.actor.name },
  { title: 'Created', sortField: 'createdAt', cell: (migration) => formatDateTime(migration.createdAt) },
];

const HISTORY_FILTERS: ListFilter[] = [
  {
    kind: 'select',
    name: 'state',
    label: 'Filter migrations by state',
    anyLabel: 'All states',
    options: MigrationState.options.map((state) => ({ value: state, label: state })),
  },
  {
    kind: 'custom',
    name: 'hostId',
    label: 'Host',
    render: (value, onChange) => <HostChip hostId={value} onClear={() => onChange('')} />,
  },
  {
    kind: 'custom',
    name: 'vmId',
    label: 'VM',
    render: (value, onChange) => <VmChip vmId={value} onClear={() => onChange('')} />,
  },
  {
    kind: 'custom',
    name: 'since',
    label: 'Created from',
    render: (value, onChange) => <DateFilter label="Created from" value={value} onChange={onChange} />,
  },
  {
    kind: 'custom',
    name: 'until',
    label: 'Created to',
    render: (value, onChange) => <DateFilter label="Created to" value={value} onChange={onChange} />,
  },
];

/** The start of a day (YYYY-MM-DD) in the browser's time zone, as the api takes it; `days` later. */
function dayStart(day: string | undefined, days = 0): string | undefined {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = new Date(`${day}T00:00:00`);
  date.setDate(date.getDate() + days);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const idOrUndefined = (value: string | null | undefined) => (value && UUID.test(value) ? value : undefined);

const historyPage = ({ filters, sort, limit, cursor }: ListRequest) =>
  migrationsPageQuery({
    state: MigrationState.safeParse(filters['state']).data,
    hostId: idOrUndefined(filters['hostId']),
    vmId: idOrUndefined(filters['vmId']),
    since: dayStart(filters['since']),
    // "to" a day includes it: created before the next one.
    until: dayStart(filters['until'], 1),
    sort,
    limit,
    cursor,
  });

/**
 * Migrations: those under way (progress live from events), and the history with its filters (state,
 * host, VM, when), both paged by the server. Links from a host or VM page filter both by it.
 */
export function MigrationsPage() {
  const me = useQuery(meQuery());
  const [searchParams] = useSearchParams();
  const [rebalancing, setRebalancing] = useState(false);
  const hostId = idOrUndefined(searchParams.get('hostId'));
  const vmId = idOrUndefined(searchParams.get('vmId'));
  const mayRebalance = canSomewhere(me.data, 'vm.migrate');
  const runningPage = ({ sort, limit, cursor }: ListRequest) =>
    migrationsPageQuery({ active: 'true', hostId, vmId, sort, limit, cursor });
  const rebalance = (
    <Button variant="secondary" isAriaDisabled={!mayRebalance} onClick={() => setRebalancing(true)}>
      Rebalance hosts
    </Button>
  );
  return (
    <>
      <PageSection>
        <Flex alignItems={{ default: 'alignItemsCenter' }}>
          <FlexItem>
            <Title headingLevel="h1">Migrations</Title>
          </FlexItem>
          <FlexItem align={{ default: 'alignRight' }}>
            {mayRebalance ? rebalance : <Tooltip content="Rebalancing needs the vm.migrate permission">{rebalance}</Tooltip>}
          </FlexItem>
        </Flex>
        <Content component="p">
          VMs moving between hosts and disks moving between pools: what runs now, and the history with the downtime each achieved.
          Start one from a VM’s page, or evacuate a host from its page.
        </Content>
      </PageSection>
      <PageSection>
        <Card>
          <CardTitle>Running</CardTitle>
          <CardBody>
            <PagedList
              label="Running migrations"
              noun="running migrations"
              columns={COLUMNS}
              defaultSort="-createdAt"
              query={runningPage}
              rowKey={(migration) => migration.id}
              paramPrefix="running."
              empty={{ title: 'Nothing is migrating', body: 'Migrations appear here while they are queued or run.' }}
            />
          </CardBody>
        </Card>
      </PageSection>
      <PageSection isFilled>
        <Card>
          <CardTitle>History</CardTitle>
          <CardBody>
            <PagedList
              label="Migrations"
              noun="migrations"
              columns={COLUMNS}
              filters={HISTORY_FILTERS}
              defaultSort="-createdAt"
              query={historyPage}
              rowKey={(migration) => migration.id}
              empty={{ title: 'No migrations', body: 'Migrate a VM from its page, or evacuate a host from its page.' }}
            />
          </CardBody>
        </Card>
      </PageSection>
      {rebalancing && <RebalanceModal onClose={() => setRebalancing(false)} />}
    </>
  );
}
