import {
  Alert,
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Label,
  LabelGroup,
  List,
  ListItem,
  Spinner,
  Title,
} from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { FleetSummary } from '@cockpit/contracts';
import { fleetSummaryQuery } from '@cockpit/console-api';
import { formatMiB, formatPercent, UsageBar } from '@cockpit/console-ui';
import { VM_STATE_COLOR, VM_STATES } from '@cockpit/console-vms';
import { HOST_STATE_COLOR, HOST_STATES, HostStateLabel } from './states.js';

/** A total with one label per state, each linking to the list filtered to that state. */
function CountsByState<S extends string>({
  total,
  noun,
  byState,
  states,
  colors,
  listPath,
}: {
  total: number;
  noun: string;
  byState: Partial<Record<S, number>>;
  states: readonly S[];
  colors: Record<S, 'green' | 'orange' | 'red' | 'grey' | 'blue' | 'purple'>;
  listPath: string;
}) {
  const present = states.filter((state) => byState[state]);
  return (
    <>
      <Title headingLevel="h3" size="2xl">
        <Link to={listPath}>
          {total} {noun}
        </Link>
      </Title>
      {present.length > 0 && (
        <LabelGroup numLabels={states.length} aria-label={`${noun} by state`}>
          {present.map((state) => (
            <Label
              key={state}
              color={colors[state]}
              isClickable
              render={({ className, content }) => (
                <Link className={className} to={`${listPath}?state=${state}`}>
                  {content}
                </Link>
              )}
            >
              {state}: {byState[state]}
            </Label>
          ))}
        </LabelGroup>
      )}
    </>
  );
}

function Capacity({ capacity }: { capacity: FleetSummary['capacity'] }) {
  const vcpuRatio = capacity.cpuThreads ? (capacity.vcpusAllocated / capacity.cpuThreads) * 100 : undefined;
  const memoryRatio = capacity.memoryTotalMiB ? (capacity.memoryUsedMiB / capacity.memoryTotalMiB) * 100 : undefined;
  return (
    <DescriptionList>
      <DescriptionListGroup>
        <DescriptionListTerm>vCPUs allocated / host threads</DescriptionListTerm>
        <DescriptionListDescription>
          <UsageBar
            percent={vcpuRatio}
            label={`${capacity.vcpusAllocated} of ${capacity.cpuThreads} (${formatPercent(vcpuRatio)})`}
            name="vCPUs allocated of host threads"
          />
        </DescriptionListDescription>
      </DescriptionListGroup>
      <DescriptionListGroup>
        <DescriptionListTerm>Memory used / total</DescriptionListTerm>
        <DescriptionListDescription>
          <UsageBar
            percent={memoryRatio}
            label={`${formatMiB(capacity.memoryUsedMiB)} of ${formatMiB(capacity.memoryTotalMiB)}`}
            name="Memory used of total"
          />
        </DescriptionListDescription>
      </DescriptionListGroup>
    </DescriptionList>
  );
}

function TopList({ label, empty, children }: { label: string; empty: string; children: ReactNode[] }) {
  return children.length ? (
    <List isPlain aria-label={label}>
      {children}
    </List>
  ) : (
    <>{empty}</>
  );
}

/** The dashboard's fleet cards: what needs attention, counts by state, capacity and the busiest. */
export function FleetSummaryCards() {
  const summary = useQuery(fleetSummaryQuery());
  if (!summary.data) {
    return (
      <Card>
        <CardTitle>Fleet</CardTitle>
        <CardBody>
          {summary.isError ? (
            <Alert variant="danger" isInline isPlain title="Cannot load the fleet summary">
              {summary.error.message}
            </Alert>
          ) : (
            <Spinner size="md" aria-label="Loading the fleet summary" />
          )}
        </CardBody>
      </Card>
    );
  }
  const { hosts, vms, capacity, topHosts, topVms, attention } = summary.data;
  return (
    <>
      <Card>
        <CardTitle>Needs attention</CardTitle>
        <CardBody>
          <TopList label="Hosts needing attention" empty="Every host is connected and trusted.">
            {attention.map((host) => (
              <ListItem key={host.id}>
                <Link to={`/hosts/${host.id}`}>{host.name}</Link> <HostStateLabel state={host.state} />
                {host.stateReason && <div>{host.stateReason}</div>}
              </ListItem>
            ))}
          </TopList>
        </CardBody>
      </Card>
      <Card>
        <CardTitle>Hosts</CardTitle>
        <CardBody>
          <CountsByState
            total={hosts.total}
            noun="hosts"
            byState={hosts.byState}
            states={HOST_STATES}
            colors={HOST_STATE_COLOR}
            listPath="/hosts"
          />
        </CardBody>
      </Card>
      <Card>
        <CardTitle>Virtual machines</CardTitle>
        <CardBody>
          <CountsByState
            total={vms.total}
            noun="VMs"
            byState={vms.byState}
            states={VM_STATES}
            colors={VM_STATE_COLOR}
            listPath="/vms"
          />
        </CardBody>
      </Card>
      <Card>
        <CardTitle>Capacity</CardTitle>
        <CardBody>
          <Capacity capacity={capacity} />
        </CardBody>
      </Card>
      <Card>
        <CardTitle>Busiest hosts</CardTitle>
        <CardBody>
          <TopList label="Busiest hosts" empty="No host has reported its use yet.">
            {topHosts.map((host) => (
              <ListItem key={host.id}>
                <Link to={`/hosts/${host.id}`}>{host.name}</Link>: {formatPercent(host.cpuPercent)} CPU,{' '}
                {formatMiB(host.memoryUsedMiB)} memory
              </ListItem>
            ))}
          </TopList>
        </CardBody>
      </Card>
      <Card>
        <CardTitle>Busiest VMs</CardTitle>
        <CardBody>
          <TopList label="Busiest VMs" empty="No VM has reported its use yet.">
            {topVms.map((vm) => (
              <ListItem key={vm.id}>
                <Link to={`/vms/${vm.id}`}>{vm.name}</Link> on <Link to={`/hosts/${vm.hostId}`}>{vm.hostName}</Link>:{' '}
                {formatPercent(vm.cpuPercent)} CPU
              </ListItem>
            ))}
          </TopList>
        </CardBody>
      </Card>
    </>
  );
}
