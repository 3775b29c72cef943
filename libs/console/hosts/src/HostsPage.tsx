import {
  Alert,
  Button,
  Content,
  EmptyState,
  EmptyStateBody,
  PageSection,
  Pagination,
  SearchInput,
  Spinner,
  Title,
  ToggleGroup,
  ToggleGroupItem,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useQuery } from '@tanstack/react-query';
import { memo, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { HostState, type Host } from '@cockpit/contracts';
import { can } from '@cockpit/console-access';
import { hostsQuery, meQuery } from '@cockpit/console-api';
import { AddHostForm, TrustButton } from './AddHostForm.js';
import { formatAgo, formatDateTime, formatMiB, NONE } from './format.js';
import { HOST_STATES, HostStateLabel } from './states.js';
import { useTableView, type SortValue } from './table-view.js';
import { UsageBar } from './UsageBar.js';

const stateRank = (state: HostState) => HOST_STATES.indexOf(state);

/** Sort keys, by column, in the order of the table's columns. */
const SORT_VALUES: readonly ((host: Host) => SortValue)[] = [
  (host) => host.name,
  (host) => stateRank(host.state),
  (host) => host.ownerInstance,
  (host) => host.cpuThreads,
  (host) => host.stats?.cpuPercent,
  (host) => host.stats?.memoryUsedMiB,
  (host) => host.vmsRunning,
  (host) => (host.lastSeenAt ? Date.parse(host.lastSeenAt) : null),
];

/** Memoised: typing in the filter re-renders the table, but mostly with the same hosts. */
const HostRow = memo(function HostRow({ host, manage }: { host: Host; manage: boolean }) {
  return (
    <Tr>
      <Td dataLabel="Name">
        <Link to={`/hosts/${host.id}`} title={host.url}>
          {host.name}
        </Link>
      </Td>
      <Td dataLabel="State">
        <HostStateLabel state={host.state} reason={host.stateReason} />{' '}
        {host.state === 'pending-trust' && manage && <TrustButton host={host} />}
      </Td>
      <Td dataLabel="Owner instance">{host.ownerInstance ?? NONE}</Td>
      <Td dataLabel="CPU">{host.cpuModel ? `${host.cpuModel}, ${host.cpuThreads ?? '?'} threads` : NONE}</Td>
      <Td dataLabel="CPU use" width={15}>
        <UsageBar percent={host.stats?.cpuPercent} name={`CPU use of ${host.name}`} />
      </Td>
      <Td dataLabel="Memory">
        {host.stats || host.memoryTotalMiB ? `${formatMiB(host.stats?.memoryUsedMiB)} / ${formatMiB(host.memoryTotalMiB)}` : NONE}
      </Td>
      <Td dataLabel="VMs">
        <span title="running / total">
          {host.vmsRunning} / {host.vmCount}
        </span>
      </Td>
      <Td dataLabel="Last seen">
        <span title={formatDateTime(host.lastSeenAt)}>{formatAgo(host.lastSeenAt)}</span>
      </Td>
    </Tr>
  );
});

function HostsTable({ hosts, manage }: { hosts: readonly Host[]; manage: boolean }) {
  const [searchParams] = useSearchParams();
  const [text, setText] = useState('');
  // The dashboard links here with ?state=… to show, say, only the unreachable hosts.
  const [state, setState] = useState<HostState | 'all'>(() => HostState.safeParse(searchParams.get('state')).data ?? 'all');

  const counts = useMemo(() => {
    const byState = new Map<HostState, number>();
    for (const host of hosts) byState.set(host.state, (byState.get(host.state) ?? 0) + 1);
    return byState;
  }, [hosts]);
  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return hosts.filter(
      (host) =>
        (state === 'all' || host.state === state) &&
        (!needle || host.name.toLowerCase().includes(needle) || host.url.toLowerCase().includes(needle)),
    );
  }, [hosts, text, state]);
  const view = useTableView(shown, SORT_VALUES);

  const chooseState = (next: HostState | 'all') => (setState(next), view.toFirstPage());
  const clearFilters = () => (setText(''), chooseState('all'));
  const columns = ['Name', 'State', 'Owner instance', 'CPU', 'CPU use', 'Memory used / total', 'VMs', 'Last seen'];

  return (
    <>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput
              aria-label="Filter hosts by name or URL"
              placeholder="Filter by name or URL"
              value={text}
              onChange={(_e, value) => (setText(value), view.toFirstPage())}
              onClear={() => (setText(''), view.toFirstPage())}
            />
          </ToolbarItem>
          <ToolbarItem>
            <ToggleGroup aria-label="Filter hosts by state" isCompact>
              <ToggleGroupItem text={`All (${hosts.length})`} isSelected={state === 'all'} onChange={() => chooseState('all')} />
              {HOST_STATES.map((option) => (
                <ToggleGroupItem
                  key={option}
                  text={`${option} (${counts.get(option) ?? 0})`}
                  isSelected={state === option}
                  onChange={() => chooseState(option)}
                />
              ))}
            </ToggleGroup>
          </ToolbarItem>
          <ToolbarItem variant="pagination" align={{ default: 'alignEnd' }}>
            <Pagination {...view.pagination} isCompact widgetId="hosts-pagination-top" />
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <Table aria-label="Hosts" variant="compact">
        <Thead>
          <Tr>
            {columns.map((title, index) => (
              <Th key={title} sort={view.sortBy(index)}>
                {title}
              </Th>
            ))}
          </Tr>
        </Thead>
        <Tbody>
          {view.pageItems.map((host) => (
            <HostRow key={host.id} host={host} manage={manage} />
          ))}
          {!view.total && (
            <Tr>
              <Td colSpan={columns.length}>
                <EmptyState titleText="No hosts match the filters" headingLevel="h2" variant="sm">
                  <EmptyStateBody>
                    <Button variant="link" onClick={clearFilters}>
                      Clear all filters
                    </Button>
                  </EmptyStateBody>
                </EmptyState>
              </Td>
            </Tr>
          )}
        </Tbody>
      </Table>
      <Pagination {...view.pagination} variant="bottom" widgetId="hosts-pagination-bottom" />
    </>
  );
}

/** Enrolled Vapor hosts with their state, owner, capacity and latest use; enrolling new ones. */
export function HostsPage() {
  const hosts = useQuery(hostsQuery());
  const me = useQuery(meQuery());
  const manage = can(me.data, 'host.manage');
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Hosts</Title>
        <Content component="p">Vapor hosts: hardware, storage pools, networks and connection state.</Content>
      </PageSection>
      <PageSection isFilled>
        {hosts.isPending && <Spinner size="lg" aria-label="Loading hosts" />}
        {hosts.isError && <Alert variant="danger" isInline title={hosts.error.message} />}
        {hosts.data && !hosts.data.length && (
          <EmptyState titleText="No hosts enrolled" headingLevel="h2">
            <EmptyStateBody>
              Add a Vapor host by its URL and token{manage ? ' below' : ' (needs the host.manage permission)'}.
            </EmptyStateBody>
          </EmptyState>
        )}
        {!!hosts.data?.length && <HostsTable hosts={hosts.data} manage={manage} />}
      </PageSection>
      {manage && (
        <PageSection>
          <AddHostForm />
        </PageSection>
      )}
    </>
  );
}
