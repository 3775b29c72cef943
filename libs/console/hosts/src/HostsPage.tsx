import { Content, PageSection, Title } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { HostState, type Host } from '@cockpit/contracts';
import { can } from '@cockpit/console-access';
import { hostsPageQuery, meQuery } from '@cockpit/console-api';
import {
  formatAgo,
  formatDateTime,
  formatMiB,
  NONE,
  PagedList,
  UsageBar,
  type ListColumn,
  type ListFilter,
  type ListRequest,
} from '@cockpit/console-ui';
import { AddHostForm, TrustButton } from './AddHostForm.js';
import { HOST_STATES, HostStateLabel } from './states.js';

// The dashboard links here with ?state=… to show, say, only the unreachable hosts.
const FILTERS: readonly ListFilter[] = [
  { kind: 'text', name: 'name', label: 'Filter hosts by name', placeholder: 'Filter by name' },
  {
    kind: 'select',
    name: 'state',
    label: 'Filter hosts by state',
    anyLabel: 'All states',
    options: HOST_STATES.map((state) => ({ value: state, label: state })),
  },
];

function columnsFor(manage: boolean): ListColumn<Host>[] {
  return [
    {
      title: 'Name',
      sortField: 'name',
      cell: (host) => (
        <Link to={`/hosts/${host.id}`} title={host.url}>
          {host.name}
        </Link>
      ),
    },
    {
      title: 'State',
      sortField: 'state',
      cell: (host) => (
        <>
          <HostStateLabel state={host.state} reason={host.stateReason} />{' '}
          {host.state === 'pending-trust' && manage && <TrustButton host={host} />}
        </>
      ),
    },
    { title: 'Owner instance', cell: (host) => host.ownerInstance ?? NONE },
    { title: 'CPU', cell: (host) => (host.cpuModel ? `${host.cpuModel}, ${host.cpuThreads ?? '?'} threads` : NONE) },
    {
      title: 'CPU use',
      width: 15,
      cell: (host) => <UsageBar percent={host.stats?.cpuPercent} name={`CPU use of ${host.name}`} />,
    },
    {
      title: 'Memory used / total',
      cell: (host) =>
        host.stats || host.memoryTotalMiB ? `${formatMiB(host.stats?.memoryUsedMiB)} / ${formatMiB(host.memoryTotalMiB)}` : NONE,
    },
    {
      title: 'VMs',
      cell: (host) => (
        <span title="running / total">
          {host.vmsRunning} / {host.vmCount}
        </span>
      ),
    },
    {
      title: 'Last seen',
      cell: (host) => <span title={formatDateTime(host.lastSeenAt)}>{formatAgo(host.lastSeenAt)}</span>,
    },
  ];
}

/** The page request as GET /api/hosts takes it; a state in the URL that is none is left out. */
const hostsPage = ({ filters, sort, limit, cursor }: ListRequest) =>
  hostsPageQuery({ name: filters['name'], state: HostState.safeParse(filters['state']).data, sort, limit, cursor });

/** Enrolled Vapor hosts with their state, owner, capacity and latest use, a page at a time; enrolling new ones. */
export function HostsPage() {
  const me = useQuery(meQuery());
  const manage = can(me.data, 'host.manage');
  const columns = useMemo(() => columnsFor(manage), [manage]);
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Hosts</Title>
        <Content component="p">Vapor hosts: hardware, storage pools, networks and connection state.</Content>
      </PageSection>
      <PageSection isFilled>
        <PagedList
          label="Hosts"
          noun="hosts"
          columns={columns}
          filters={FILTERS}
          defaultSort="name"
          query={hostsPage}
          rowKey={(host) => host.id}
          empty={{
            title: 'No hosts enrolled',
            body: `Add a Vapor host by its URL and token${manage ? ' below' : ' (needs the host.manage permission)'}.`,
          }}
        />
      </PageSection>
      {manage && (
        <PageSection>
          <AddHostForm />
        </PageSection>
      )}
    </>
  );
}
