import { Link } from 'react-router';
import { VmState, type FleetVm } from '@cockpit/contracts';
import { vmsPageQuery } from '@cockpit/console-api';
import { formatMiB, PagedList, UsageBar, type ListColumn, type ListFilter, type ListRequest } from '@cockpit/console-ui';
import { HostFilter } from './HostFilter.js';
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

/** The page request as GET /api/vms takes it; `hostId` (a host's own page) overrides the URL's. */
const vmsPage =
  (hostId?: string) =>
  ({ filters, sort, limit, cursor }: ListRequest) =>
    vmsPageQuery({
      name: filters['name'],
      state: VmState.safeParse(filters['state']).data,
      hostId: hostId ?? filters['hostId'],
      sort,
      limit,
      cursor,
    });
const fleetVmsPage = vmsPage();

/**
 * VMs a page at a time from the server, filtered by name, state and host, sorted by column. With
 * `hostId`, only that host's (on its page: no host column or filter).
 */
export function VmList({ hostId }: { hostId?: string }) {
  return (
    <PagedList
      label="Virtual machines"
      noun="VMs"
      columns={hostId ? ONE_HOST_COLUMNS : FLEET_COLUMNS}
      filters={hostId ? ONE_HOST_FILTERS : FLEET_FILTERS}
      defaultSort="name"
      query={hostId ? vmsPage(hostId) : fleetVmsPage}
      rowKey={(vm) => vm.id}
      empty={
        hostId
          ? { title: 'No VMs on this host' }
          : { title: 'No virtual machines', body: 'VMs appear here once enrolled hosts report them.' }
      }
    />
  );
}
