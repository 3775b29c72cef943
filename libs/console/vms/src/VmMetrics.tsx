import { ToggleGroup, ToggleGroupItem } from '@patternfly/react-core';
import { useState } from 'react';
import type { FleetVm } from '@cockpit/contracts';
import { LAST_HOUR, METRIC_RANGES, useLiveVmMetrics, type MetricRangeName } from '@cockpit/console-api';
import { MetricsPanel } from '@cockpit/console-ui';

const RANGE_LABEL: Record<MetricRangeName, string> = { '1 h': 'Last hour', '24 h': 'Last 24 hours', '30 d': 'Last 30 days' };

/** The VM's CPU, memory, disk and network over 1 h (live from its host's stats frames), 24 h or 30 d. */
export function VmMetrics({ vm }: { vm: FleetVm }) {
  const [name, setName] = useState<MetricRangeName>('1 h');
  const range = METRIC_RANGES[name];
  const metrics = useLiveVmMetrics(vm.id, vm.hostId, range);
  const controls = (
    <ToggleGroup aria-label="Chart range" isCompact style={{ marginBottom: 'var(--pf-t--global--spacer--sm)' }}>
      {(Object.keys(METRIC_RANGES) as MetricRangeName[]).map((key) => (
        <ToggleGroupItem
          key={key}
          text={key}
          buttonId={`vm-range-${key.replace(' ', '')}`}
          isSelected={key === name}
          onChange={() => setName(key)}
        />
      ))}
    </ToggleGroup>
  );
  return <MetricsPanel metrics={metrics} rangeLabel={RANGE_LABEL[name]} live={range === LAST_HOUR} controls={controls} />;
}
