import {
  Alert,
  Breadcrumb,
  BreadcrumbItem,
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  EmptyState,
  EmptyStateBody,
  ExpandableSection,
  Flex,
  FlexItem,
  Gallery,
  Label,
  LabelGroup,
  PageSection,
  Tab,
  Tabs,
  TabContentBody,
  TabTitleText,
  Title,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { HostDetail, HostHardware } from '@cockpit/contracts';
import { can } from '@cockpit/console-access';
import { hostQuery, meQuery, useLiveHostMetrics } from '@cockpit/console-api';
import {
  DetailStatus,
  formatAgo,
  formatBytes,
  formatCpuList,
  formatDateTime,
  formatMiB,
  formatPercent,
  MetricsPanel,
  NONE,
  Term,
  UsageBar,
} from '@cockpit/console-ui';
import { EvacuateHostButton } from '@cockpit/console-migrations';
import { VmList } from '@cockpit/console-vms';
import { HostActions } from './HostActions.js';
import { HostStateLabel } from './states.js';

function CpuFeatures({ features }: { features: readonly string[] }) {
  const [expanded, setExpanded] = useState(false);
  if (!features.length) return <>none reported</>;
  return (
    <ExpandableSection
      toggleText={expanded ? `Hide the ${features.length} features` : `${features.length} features`}
      isExpanded={expanded}
      onToggle={(_e, next) => setExpanded(next)}
    >
      <LabelGroup numLabels={features.length} aria-label="CPU features">
        {features.map((feature) => (
          <Label key={feature} isCompact>
            {feature}
          </Label>
        ))}
      </LabelGroup>
    </ExpandableSection>
  );
}

function Overview({ host, hardware }: { host: HostDetail; hardware: HostHardware }) {
  const { cpu, memory } = hardware;
  const threads = cpu.sockets * cpu.coresPerSocket * cpu.threadsPerCore;
  const used = host.stats?.memoryUsedMiB ?? memory.totalMiB - memory.freeMiB;
  return (
    <Gallery hasGutter minWidths={{ default: '360px' }}>
      <Card>
        <CardTitle>CPU</CardTitle>
        <CardBody>
          <DescriptionList isCompact isHorizontal>
            <Term term="Vendor">{cpu.vendor}</Term>
            <Term term="Model">{cpu.model}</Term>
            <Term term="Topology">
              {cpu.sockets} sockets × {cpu.coresPerSocket} cores × {cpu.threadsPerCore} threads = {threads} threads
            </Term>
            <Term term="Features">
              <CpuFeatures features={cpu.features} />
            </Term>
            <Term term="In use">
              <UsageBar percent={host.stats?.cpuPercent} name="CPU use" />
            </Term>
          </DescriptionList>
        </CardBody>
      </Card>
      <Card>
        <CardTitle>Memory</CardTitle>
        <CardBody>
          <DescriptionList isCompact isHorizontal>
            <Term term="Total">{formatMiB(memory.totalMiB)}</Term>
            <Term term="Free">{formatMiB(memory.freeMiB)}</Term>
            <Term term="In use">
              <UsageBar
                percent={memory.totalMiB ? (used / memory.totalMiB) * 100 : undefined}
                label={`${formatMiB(used)} of ${formatMiB(memory.totalMiB)}`}
                name="Memory use"
              />
            </Term>
          </DescriptionList>
        </CardBody>
      </Card>
      <Card>
        <CardTitle>NUMA nodes</CardTitle>
        <CardBody>
          <Table aria-label="NUMA nodes" variant="compact" borders={false}>
            <Thead>
              <Tr>
                <Th>Node</Th>
                <Th>CPUs</Th>
                <Th>Memory</Th>
              </Tr>
            </Thead>
            <Tbody>
              {hardware.numa.map((node) => (
                <Tr key={node.id}>
                  <Td dataLabel="Node">{node.id}</Td>
                  <Td dataLabel="CPUs">{formatCpuList(node.cpus)}</Td>
                  <Td dataLabel="Memory">{formatMiB(node.memoryMiB)}</Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        </CardBody>
      </Card>
      <Card>
        <CardTitle>Hypervisor</CardTitle>
        <CardBody>
          <DescriptionList isCompact isHorizontal>
            <Term term="Name">{hardware.hypervisor.name}</Term>
            <Term term="Version">{hardware.hypervisor.version}</Term>
            <Term term="Driver">{hardware.hypervisor.driver}</Term>
            <Term term="Booted">
              <span title={formatDateTime(hardware.bootedAt)}>{formatDateTime(hardware.bootedAt)}</span>
            </Term>
            <Term term="Host UUID">{host.hostUuid ?? NONE}</Term>
          </DescriptionList>
        </CardBody>
      </Card>
    </Gallery>
  );
}

function StoragePools({ host }: { host: HostDetail }) {
  if (!host.pools.length) return <EmptyState titleText="No storage pools" headingLevel="h2" variant="sm" />;
  return (
    <Table aria-label="Storage pools" variant="compact">
      <Thead>
        <Tr>
          <Th>Pool</Th>
          <Th>Type</Th>
          <Th>Capacity</Th>
          <Th>Free</Th>
          <Th width={30}>Used</Th>
        </Tr>
      </Thead>
      <Tbody>
        {host.pools.map((pool) => {
          const used = pool.capacityBytes - pool.freeBytes;
          return (
            <Tr key={pool.id}>
              <Td dataLabel="Pool">{pool.id}</Td>
              <Td dataLabel="Type">{pool.type}</Td>
              <Td dataLabel="Capacity">{formatBytes(pool.capacityBytes)}</Td>
              <Td dataLabel="Free">{formatBytes(pool.freeBytes)}</Td>
              <Td dataLabel="Used">
                <UsageBar
                  percent={pool.capacityBytes ? (used / pool.capacityBytes) * 100 : undefined}
                  label={`${formatBytes(used)} (${formatPercent(pool.capacityBytes ? (used / pool.capacityBytes) * 100 : 0)})`}
                  name={`Space used in ${pool.id}`}
                />
              </Td>
            </Tr>
          );
        })}
      </Tbody>
    </Table>
  );
}

function Networks({ host }: { host: HostDetail }) {
  if (!host.networks.length) return <EmptyState titleText="No networks" headingLevel="h2" variant="sm" />;
  return (
    <Table aria-label="Networks" variant="compact">
      <Thead>
        <Tr>
          <Th>Bridge</Th>
          <Th>Type</Th>
          <Th>VLAN</Th>
          <Th>MTU</Th>
        </Tr>
      </Thead>
      <Tbody>
        {host.networks.map((network) => (
          <Tr key={network.id}>
            <Td dataLabel="Bridge">{network.id}</Td>
            <Td dataLabel="Type">{network.type}</Td>
            <Td dataLabel="VLAN">{network.vlan ?? 'untagged'}</Td>
            <Td dataLabel="MTU">{network.mtu}</Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}

function HostMetrics({ hostId }: { hostId: string }) {
  return <MetricsPanel metrics={useLiveHostMetrics(hostId)} />;
}

const TABS = ['overview', 'storage', 'networks', 'vms', 'metrics'] as const;
type TabKey = (typeof TABS)[number];

/**
 * One host: hardware, storage pools, bridges, its VMs and live charts, a tab each (?tab=… links to one);
 * with host.manage, also collecting on/off, its connection and removing it; with vm.migrate on it,
 * evacuating it.
 */
export function HostDetailPage() {
  const { hostId = '' } = useParams();
  const host = useQuery(hostQuery(hostId));
  const me = useQuery(meQuery());
  const manage = can(me.data, 'host.manage');
  const [searchParams, setSearchParams] = useSearchParams();
  const requested = searchParams.get('tab');
  const tab: TabKey = TABS.find((key) => key === requested) ?? 'overview';
  const backTo = { path: '/hosts', label: 'the hosts' };

  if (!host.data) return <DetailStatus what="host" error={host.error} backTo={backTo} />;
  const { data } = host;
  return (
    <>
      <PageSection>
        <Breadcrumb>
          <BreadcrumbItem
            render={({ className }) => (
              <Link className={className} to="/hosts">
                Hosts
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
            <HostStateLabel state={data.state} />
          </FlexItem>
          <FlexItem align={{ default: 'alignRight' }}>
            <Flex spaceItems={{ default: 'spaceItemsSm' }}>
              <FlexItem>
                <EvacuateHostButton host={data} />
              </FlexItem>
              {manage && (
                <FlexItem>
                  <HostActions host={data} />
                </FlexItem>
              )}
            </Flex>
          </FlexItem>
        </Flex>
        {data.stateReason && (
          <Alert variant={data.state === 'connected' ? 'info' : 'warning'} isInline isPlain title={data.stateReason} />
        )}
        <DescriptionList
          isCompact
          isHorizontal
          columnModifier={{ lg: '3Col' }}
          style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}
        >
          <Term term="URL">
            <code>{data.url}</code>
          </Term>
          <Term term="Owner instance">{data.ownerInstance ?? NONE}</Term>
          <Term term="Agent version">{data.agentVersion ?? NONE}</Term>
          <Term term="Last seen">
            <span title={formatDateTime(data.lastSeenAt)}>{formatAgo(data.lastSeenAt)}</span>
          </Term>
          <Term term="VMs">
            <Link to={`/vms?hostId=${data.id}`}>
              {data.vmsRunning} running of {data.vmCount}
            </Link>
          </Term>
          <Term term="Fingerprint">
            <code>{data.fingerprint}</code>
          </Term>
        </DescriptionList>
      </PageSection>
      <PageSection isFilled>
        <Tabs
          activeKey={tab}
          onSelect={(_e, key) => setSearchParams(key === 'overview' ? {} : { tab: String(key) }, { replace: true })}
          aria-label="Host details"
          mountOnEnter
          unmountOnExit
        >
          <Tab eventKey="overview" title={<TabTitleText>Overview</TabTitleText>}>
            <TabContentBody hasPadding>
              {data.hardware ? (
                <Overview host={data} hardware={data.hardware} />
              ) : (
                <EmptyState titleText="No hardware inventory yet" headingLevel="h2" variant="sm">
                  <EmptyStateBody>Cockpit has not read this host’s inventory yet; it does once it connects.</EmptyStateBody>
                </EmptyState>
              )}
            </TabContentBody>
          </Tab>
          <Tab eventKey="storage" title={<TabTitleText>Storage pools ({data.pools.length})</TabTitleText>}>
            <TabContentBody hasPadding>
              <StoragePools host={data} />
            </TabContentBody>
          </Tab>
          <Tab eventKey="networks" title={<TabTitleText>Networks ({data.networks.length})</TabTitleText>}>
            <TabContentBody hasPadding>
              <Networks host={data} />
            </TabContentBody>
          </Tab>
          <Tab eventKey="vms" title={<TabTitleText>VMs ({data.vmCount})</TabTitleText>}>
            <TabContentBody hasPadding>
              <VmList hostId={data.id} />
            </TabContentBody>
          </Tab>
          <Tab eventKey="metrics" title={<TabTitleText>Charts</TabTitleText>}>
            <TabContentBody hasPadding>
              <HostMetrics hostId={data.id} />
            </TabContentBody>
          </Tab>
        </Tabs>
      </PageSection>
    </>
  );
}
