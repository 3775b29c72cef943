import { Button, Flex, FlexItem, ToolbarItem } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { MAX_BULK_VMS, VmState, type FleetVm, type JobSummary, type Me } from '@cockpit/contracts';
import { canSomewhere } from '@cockpit/console-access';
import { meQuery, vmsPageQuery } from '@cockpit/console-api';
import {
  formatMiB,
  PagedList,
  UsageBar,
  useListState,
  type ListColumn,
  type ListFilter,
  type ListRequest,
  type ListView,
  type RowSelection,
} from '@cockpit/console-ui';
import { BulkActionsMenu, StartedJob, type BulkTarget } from './BulkActions.js';
import { HostFilter } from './HostFilter.js';
import { refusalOnVm } from './permissions.js';
import { VM_STATES, VmStateLabel } from './states.js';

const NAME: ListColumn<FleetVm> = {
  title: 'Name',
  sortField: 'name',
  cell: (vm) => <Link to={`/vms/${vm.id}`}>{vm.name}</Link>,
};
const STATE: ListColumn<FleetVm> = { title: 'State', sortField: 'state', cell: (vm) => <VmStateLabel state={vm.state} /> };
const HOST: ListColumn<FleetVm> = {
  title: 'Host',
  sortField: 'hostName',
  cell: (vm) => <Link to={`/hosts/${vm.hostId}`}>{vm.hostName}</Link>,
};
const REST: ListColumn<FleetVm>[] = [
  { title: 'vCPUs', cell: (vm) => vm.vcpus },
  {
    title: 'Memory used / size',
    cell: (vm) => (
      <>
        {vm.stats ? `${formatMiB(vm.stats.memoryUsedMiB)} / ` : ''}
        {formatMiB(vm.memoryMiB)}
      </>
    ),
  },
  { title: 'CPU use', width: 15, cell: (vm) => <UsageBar percent={vm.stats?.cpuPercent} name={`CPU use of ${vm.name}`} /> },
];
const FLEET_COLUMNS = [NAME, STATE, HOST, ...REST];
const ONE_HOST_COLUMNS = [NAME, STATE, ...REST];

const NAME_FILTER: ListFilter = { kind: 'text', name: 'name', label: 'Filter VMs by name', placeholder: 'Filter by name' };
const STATE_FILTER: ListFilter = {
  kind: 'select',
  name: 'state',
  label: 'Filter VMs by state',
  anyLabel: 'All states',
  options: VM_STATES.map((state) => ({ value: state, label: state })),
};
const HOST_FILTER: ListFilter = {
  kind: 'custom',
  name: 'hostId',
  label: 'Filter VMs by host',
  render: (value, onChange) => <HostFilter value={value} label="Filter VMs by host" onChange={onChange} />,
};
const FLEET_FILTERS = [NAME_FILTER, STATE_FILTER, HOST_FILTER];
const ONE_HOST_FILTERS = [NAME_FILTER, STATE_FILTER];

/** The list's filters as GET /api/vms and the bulk actions take them; `hostId` (a host's own page) overrides the URL's. */
const filterOf = (filters: ListRequest['filters'], hostId?: string) => ({
  name: filters['name'],
  state: VmState.safeParse(filters['state']).data,
  hostId: hostId ?? filters['hostId'],
});

const vmsPage =
  (hostId?: string) =>
  ({ filters, sort, limit, cursor }: ListRequest) =>
    vmsPageQuery({ ...filterOf(filters, hostId), sort, limit, cursor });
const fleetVmsPage = vmsPage();

/**
 * What is selected: some VMs by id, or every VM the filter matches. It belongs to one filter: with
 * another, nothing is selected.
 */
interface Selected {
  filterKey: string;
  ids: ReadonlySet<string>;
  allMatching: boolean;
}
const NOTHING = (filterKey: string): Selected => ({ filterKey, ids: new Set(), allMatching: false });

/** Says what is selected, and offers every VM the filter matches once the whole page is. */
function SelectionBanner({
  selected,
  view,
  pageSelected,
  onSelectAll,
  onClear,
}: {
  selected: Selected;
  view: ListView<FleetVm>;
  pageSelected: boolean;
  onSelectAll: () => void;
  onClear: () => void;
}) {
  const total = view.stale ? undefined : view.page?.total;
  if (!selected.allMatching && !selected.ids.size) return null;
  const filtered = Object.keys(view.request.filters).length > 0;
  const matching = filtered ? ' matching the filter' : '';
  return (
    <Flex
      spaceItems={{ default: 'spaceItemsSm' }}
      alignItems={{ default: 'alignItemsCenter' }}
      style={{ padding: 'var(--pf-t--global--spacer--sm) var(--pf-t--global--spacer--md)' }}
      role="status"
      aria-label="Selection"
    >
      <FlexItem>
        {selected.allMatching
          ? `All ${total?.toLocaleString() ?? ''} VMs${matching} are selected.`
          : `${selected.ids.size.toLocaleString()} VM${selected.ids.size === 1 ? '' : 's'} selected.`}
      </FlexItem>
      {!selected.allMatching && pageSelected && total !== undefined && total > selected.ids.size && (
        <FlexItem>
          <Button variant="link" isInline onClick={onSelectAll}>
            Select all {total.toLocaleString()} VMs{matching}
          </Button>
          {total > MAX_BULK_VMS && ` (bulk actions take at most ${MAX_BULK_VMS.toLocaleString()})`}
        </FlexItem>
      )}
      <FlexItem>
        <Button variant="link" isInline onClick={onClear}>
          Clear selection
        </Button>
      </FlexItem>
    </Flex>
  );
}

/**
 * VMs a page at a time from the server, filtered by name, state and host, sorted by column. With
 * `hostId`, only that host's (on its page: no host column or filter). A user who may power VMs
 * selects rows (or every VM the filter matches) and runs one power action on them as a job.
 */
export function VmList({ hostId }: { hostId?: string }) {
  const filters = hostId ? ONE_HOST_FILTERS : FLEET_FILTERS;
  const me = useQuery(meQuery());
  const { request } = useListState({ filterNames: filters.map((filter) => filter.name), defaultSort: 'name' });
  const filterKey = JSON.stringify(filterOf(request.filters, hostId));
  const [held, setSelected] = useState<Selected>(() => NOTHING(filterKey));
  const selected = held.filterKey === filterKey ? held : NOTHING(filterKey);
  const [started, setStarted] = useState<JobSummary | null>(null);
  const mayPower = canSomewhere(me.data, 'vm.power');

  const selection: RowSelection<FleetVm> = {
    isSelected: (vm) => selected.allMatching || selected.ids.has(vm.id),
    onSelect: (rows, on) => {
      const ids = new Set(selected.ids);
      for (const vm of rows) {
        if (on) ids.add(vm.id);
        else ids.delete(vm.id);
      }
      // Leaving "all matching" keeps the rows picked before it (the page's), less those unticked.
      setSelected({ filterKey, ids, allMatching: false });
    },
    disabledReason: (vm) => refusalOnVm(me.data, 'vm.power', vm),
    rowLabel: (vm) => `Select ${vm.name}`,
  };
  const target = (view: ListView<FleetVm>): BulkTarget | undefined => {
    if (selected.allMatching)
      return view.page && !view.stale
        ? { kind: 'filter', filter: filterOf(view.request.filters, hostId), count: view.page.total }
        : undefined;
    return selected.ids.size ? { kind: 'ids', vmIds: [...selected.ids] } : undefined;
  };
  const pageSelected = (view: ListView<FleetVm>, who: Me | null | undefined) => {
    const selectable = (view.page?.items ?? []).filter((vm) => !refusalOnVm(who, 'vm.power', vm));
    return selectable.length > 0 && selectable.every((vm) => selected.ids.has(vm.id));
  };

  return (
    <>
      {started && <StartedJob started={started} onClose={() => setStarted(null)} />}
      <PagedList
        label="Virtual machines"
        noun="VMs"
        columns={hostId ? ONE_HOST_COLUMNS : FLEET_COLUMNS}
        filters={filters}
        defaultSort="name"
        query={hostId ? vmsPage(hostId) : fleetVmsPage}
        rowKey={(vm) => vm.id}
        selection={mayPower ? selection : undefined}
        toolbarItems={
          mayPower
            ? (view) => (
                <ToolbarItem>
                  <BulkActionsMenu
                    target={target(view)}
                    onStarted={(job) => {
                      setStarted(job);
                      setSelected(NOTHING(filterKey));
                    }}
                  />
                </ToolbarItem>
              )
            : undefined
        }
        banner={
          mayPower
            ? (view) => (
                <SelectionBanner
                  selected={selected}
                  view={view}
                  pageSelected={pageSelected(view, me.data)}
                  onSelectAll={() => setSelected({ ...selected, allMatching: true })}
                  onClear={() => setSelected(NOTHING(filterKey))}
                />
              )
            : undefined
        }
        empty={
          hostId
            ? { title: 'No VMs on this host' }
            : { title: 'No virtual machines', body: 'VMs appear here once enrolled hosts report them.' }
        }
      />
    </>
  );
}
