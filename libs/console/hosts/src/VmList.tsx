import {
  Button,
  EmptyState,
  EmptyStateBody,
  FormSelect,
  FormSelectOption,
  Pagination,
  SearchInput,
  ToggleGroup,
  ToggleGroupItem,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { memo, useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { FleetVm, VmState } from '@cockpit/contracts';
import { formatMiB } from './format.js';
import { VM_STATES, VmStateLabel } from './states.js';
import { useTableView, type SortValue } from './table-view.js';
import { UsageBar } from './UsageBar.js';

interface Column {
  title: string;
  sortValue: (vm: FleetVm) => SortValue;
  hostOnly?: boolean;
}

const COLUMNS: readonly Column[] = [
  { title: 'Name', sortValue: (vm) => vm.name },
  { title: 'State', sortValue: (vm) => VM_STATES.indexOf(vm.state) },
  { title: 'Host', sortValue: (vm) => vm.hostName, hostOnly: true },
  { title: 'vCPUs', sortValue: (vm) => vm.vcpus },
  { title: 'Memory used / size', sortValue: (vm) => vm.memoryMiB },
  { title: 'CPU use', sortValue: (vm) => vm.stats?.cpuPercent },
];
const ALL_SORT_VALUES = COLUMNS.map((column) => column.sortValue);
const OWN_HOST_SORT_VALUES = COLUMNS.filter((column) => !column.hostOnly).map((column) => column.sortValue);

/** Memoised: filtering and live refreshes re-render the table, but mostly with the same VMs. */
const VmRow = memo(function VmRow({ vm, showHost }: { vm: FleetVm; showHost: boolean }) {
  return (
    <Tr>
      <Td dataLabel="Name">
        <Link to={`/vms/${vm.id}`}>{vm.name}</Link>
      </Td>
      <Td dataLabel="State">
        <VmStateLabel state={vm.state} />
      </Td>
      {showHost && (
        <Td dataLabel="Host">
          <Link to={`/hosts/${vm.hostId}`}>{vm.hostName}</Link>
        </Td>
      )}
      <Td dataLabel="vCPUs">{vm.vcpus}</Td>
      <Td dataLabel="Memory used / size">
        {vm.stats ? `${formatMiB(vm.stats.memoryUsedMiB)} / ` : ''}
        {formatMiB(vm.memoryMiB)}
      </Td>
      <Td dataLabel="CPU use" width={15}>
        <UsageBar percent={vm.stats?.cpuPercent} name={`CPU use of ${vm.name}`} />
      </Td>
    </Tr>
  );
});

interface VmTableProps {
  vms: readonly FleetVm[];
  /** The fleet-wide list shows and filters by host; a host's own page does not. */
  showHost?: boolean;
  initialState?: VmState | 'all';
  initialHostId?: string;
}

/** VMs with a name/state(/host) filter, sortable columns and pages, all in memory. */
export function VmTable({ vms, showHost = false, initialState = 'all', initialHostId = '' }: VmTableProps) {
  const [text, setText] = useState('');
  const [state, setState] = useState<VmState | 'all'>(initialState);
  const [hostId, setHostId] = useState(initialHostId);
  const columns = showHost ? COLUMNS : COLUMNS.filter((column) => !column.hostOnly);

  const hosts = useMemo(
    () =>
      [...new Map(vms.map((vm) => [vm.hostId, vm.hostName])).entries()].sort(([, a], [, b]) =>
        a.localeCompare(b, undefined, { numeric: true }),
      ),
    [vms],
  );
  const counts = useMemo(() => {
    const byState = new Map<VmState, number>();
    for (const vm of vms) byState.set(vm.state, (byState.get(vm.state) ?? 0) + 1);
    return byState;
  }, [vms]);
  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return vms.filter(
      (vm) =>
        (state === 'all' || vm.state === state) &&
        (!showHost || !hostId || vm.hostId === hostId) &&
        (!needle || vm.name.toLowerCase().includes(needle)),
    );
  }, [vms, text, state, hostId, showHost]);
  const view = useTableView(shown, showHost ? ALL_SORT_VALUES : OWN_HOST_SORT_VALUES);

  const clearFilters = () => (setText(''), setState('all'), setHostId(''), view.toFirstPage());

  return (
    <>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput
              aria-label="Filter VMs by name"
              placeholder="Filter by name"
              value={text}
              onChange={(_e, value) => (setText(value), view.toFirstPage())}
              onClear={() => (setText(''), view.toFirstPage())}
            />
          </ToolbarItem>
          <ToolbarItem>
            <ToggleGroup aria-label="Filter VMs by state" isCompact>
              <ToggleGroupItem
                text={`All (${vms.length})`}
                isSelected={state === 'all'}
                onChange={() => (setState('all'), view.toFirstPage())}
              />
              {VM_STATES.map((option) => (
                <ToggleGroupItem
                  key={option}
                  text={`${option} (${counts.get(option) ?? 0})`}
                  isSelected={state === option}
                  onChange={() => (setState(option), view.toFirstPage())}
                />
              ))}
            </ToggleGroup>
          </ToolbarItem>
          {showHost && (
            <ToolbarItem>
              <FormSelect
                aria-label="Filter VMs by host"
                value={hostId}
                onChange={(_e, value) => (setHostId(value), view.toFirstPage())}
              >
                <FormSelectOption value="" label="All hosts" />
                {hosts.map(([id, name]) => (
                  <FormSelectOption key={id} value={id} label={name} />
                ))}
              </FormSelect>
            </ToolbarItem>
          )}
          <ToolbarItem variant="pagination" align={{ default: 'alignEnd' }}>
            <Pagination {...view.pagination} isCompact widgetId="vms-pagination-top" />
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <Table aria-label="Virtual machines" variant="compact">
        <Thead>
          <Tr>
            {columns.map((column, index) => (
              <Th key={column.title} sort={view.sortBy(index)}>
                {column.title}
              </Th>
            ))}
          </Tr>
        </Thead>
        <Tbody>
          {view.pageItems.map((vm) => (
            <VmRow key={vm.id} vm={vm} showHost={showHost} />
          ))}
          {!view.total && (
            <Tr>
              <Td colSpan={columns.length}>
                <EmptyState titleText="No VMs match the filters" headingLevel="h2" variant="sm">
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
      <Pagination {...view.pagination} variant="bottom" widgetId="vms-pagination-bottom" />
    </>
  );
}
