import {
  Breadcrumb,
  BreadcrumbItem,
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Flex,
  FlexItem,
  Grid,
  GridItem,
  Label,
  LabelGroup,
  PageSection,
  Title,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import type { FleetVm } from '@cockpit/contracts';
import { useLiveVmMetrics, vmQuery } from '@cockpit/console-api';
import { DetailStatus, formatBytes, formatDateTime, formatMiB, MetricsPanel, UsageBar } from '@cockpit/console-ui';
import { VmStateLabel } from './states.js';

function Term({ term, children }: { term: string; children: ReactNode }) {
  return (
    <DescriptionListGroup>
      <DescriptionListTerm>{term}</DescriptionListTerm>
      <DescriptionListDescription>{children}</DescriptionListDescription>
    </DescriptionListGroup>
  );
}

function Configuration({ vm }: { vm: FleetVm }) {
  return (
    <DescriptionList isCompact isHorizontal>
      <Term term="State">
        <VmStateLabel state={vm.state} />
      </Term>
      <Term term="Host">
        <Link to={`/hosts/${vm.hostId}`}>{vm.hostName}</Link>
      </Term>
      <Term term="vCPUs">{vm.vcpus}</Term>
      <Term term="Memory">{formatMiB(vm.memoryMiB)}</Term>
      <Term term="CPU model">{vm.cpu.model}</Term>
      <Term term="CPU features">
        {vm.cpu.features.length ? (
          <LabelGroup aria-label="CPU features" numLabels={10}>
            {vm.cpu.features.map((feature) => (
              <Label key={feature} isCompact>
                {feature}
              </Label>
            ))}
          </LabelGroup>
        ) : (
          'none beyond the model'
        )}
      </Term>
      <Term term="Generation">{vm.generation}</Term>
      <Term term="Created">{formatDateTime(vm.createdAt)}</Term>
      <Term term="Changed">{formatDateTime(vm.updatedAt)}</Term>
    </DescriptionList>
  );
}

function LiveUse({ vm }: { vm: FleetVm }) {
  const { stats } = vm;
  return (
    <DescriptionList isCompact isHorizontal>
      <Term term="CPU use">
        <UsageBar percent={stats?.cpuPercent} name="CPU use" />
      </Term>
      <Term term="Memory use">
        <UsageBar
          percent={stats ? (stats.memoryUsedMiB / vm.memoryMiB) * 100 : undefined}
          label={stats ? `${formatMiB(stats.memoryUsedMiB)} of ${formatMiB(vm.memoryMiB)}` : undefined}
          name="Memory use"
        />
      </Term>
      <Term term="Sampled">{formatDateTime(stats?.at)}</Term>
    </DescriptionList>
  );
}

function Disks({ vm }: { vm: FleetVm }) {
  return (
    <Table aria-label="Disks" variant="compact">
      <Thead>
        <Tr>
          <Th>Device</Th>
          <Th>Pool</Th>
          <Th>Format</Th>
          <Th>Bus</Th>
          <Th>Size</Th>
          <Th width={30}>Allocated</Th>
        </Tr>
      </Thead>
      <Tbody>
        {vm.disks.map((disk) => (
          <Tr key={disk.id}>
            <Td dataLabel="Device">{disk.id}</Td>
            <Td dataLabel="Pool">{disk.poolId}</Td>
            <Td dataLabel="Format">{disk.format}</Td>
            <Td dataLabel="Bus">{disk.bus}</Td>
            <Td dataLabel="Size">{formatBytes(disk.sizeBytes)}</Td>
            <Td dataLabel="Allocated">
              <UsageBar
                percent={disk.sizeBytes ? (disk.allocatedBytes / disk.sizeBytes) * 100 : undefined}
                label={formatBytes(disk.allocatedBytes)}
                name={`Allocated on ${disk.id}`}
              />
            </Td>
          </Tr>
        ))}
        {!vm.disks.length && (
          <Tr>
            <Td colSpan={6}>No disks</Td>
          </Tr>
        )}
      </Tbody>
    </Table>
  );
}

function Nics({ vm }: { vm: FleetVm }) {
  return (
    <Table aria-label="Network interfaces" variant="compact">
      <Thead>
        <Tr>
          <Th>Interface</Th>
          <Th>Network</Th>
          <Th>MAC address</Th>
          <Th>Model</Th>
        </Tr>
      </Thead>
      <Tbody>
        {vm.nics.map((nic) => (
          <Tr key={nic.id}>
            <Td dataLabel="Interface">{nic.id}</Td>
            <Td dataLabel="Network">{nic.networkId}</Td>
            <Td dataLabel="MAC address">
              <code>{nic.mac}</code>
            </Td>
            <Td dataLabel="Model">{nic.model}</Td>
          </Tr>
        ))}
        {!vm.nics.length && (
          <Tr>
            <Td colSpan={4}>No network interfaces</Td>
          </Tr>
        )}
      </Tbody>
    </Table>
  );
}

/** The VM's samples come in its host's stats frames. */
function VmMetrics({ vm }: { vm: FleetVm }) {
  return <MetricsPanel metrics={useLiveVmMetrics(vm.id, vm.hostId)} />;
}

/** One VM: its configuration, disks, network interfaces and live charts. */
export function VmDetailPage() {
  const { vmId = '' } = useParams();
  const vm = useQuery(vmQuery(vmId));
  if (!vm.data) return <DetailStatus what="VM" error={vm.error} backTo={{ path: '/vms', label: 'the VMs' }} />;
  const { data } = vm;
  return (
    <>
      <PageSection>
        <Breadcrumb>
          <BreadcrumbItem
            render={({ className }) => (
              <Link className={className} to="/vms">
                Virtual machines
              </Link>
            )}
          />
          <BreadcrumbItem isActive>{data.name}</BreadcrumbItem>
        </Breadcrumb>
        <Flex alignItems={{ default: 'alignItemsCenter' }} style={{ marginTop: 'var(--pf-t--global--spacer--sm)' }}>
          <FlexItem>
            <Title headingLevel="h1">{data.name}</Title>
          </FlexItem>
          <FlexItem>
            <VmStateLabel state={data.state} />
          </FlexItem>
          <FlexItem>
            on <Link to={`/hosts/${data.hostId}`}>{data.hostName}</Link>
          </FlexItem>
        </Flex>
      </PageSection>
      <PageSection isFilled>
        <Grid hasGutter>
          <GridItem lg={7}>
            <Card isFullHeight>
              <CardTitle>Configuration</CardTitle>
              <CardBody>
                <Configuration vm={data} />
              </CardBody>
            </Card>
          </GridItem>
          <GridItem lg={5}>
            <Card isFullHeight>
              <CardTitle>Live use</CardTitle>
              <CardBody>{data.stats ? <LiveUse vm={data} /> : 'No sample yet.'}</CardBody>
            </Card>
          </GridItem>
          <GridItem lg={6}>
            <Card>
              <CardTitle>Disks</CardTitle>
              <CardBody>
                <Disks vm={data} />
              </CardBody>
            </Card>
          </GridItem>
          <GridItem lg={6}>
            <Card>
              <CardTitle>Network interfaces</CardTitle>
              <CardBody>
                <Nics vm={data} />
              </CardBody>
            </Card>
          </GridItem>
          <GridItem>
            <Card>
              <CardTitle>Charts</CardTitle>
              <CardBody>
                <VmMetrics vm={data} />
              </CardBody>
            </Card>
          </GridItem>
        </Grid>
      </PageSection>
    </>
  );
}
