import {
  Alert,
  Breadcrumb,
  Button,
  BreadcrumbItem,
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  Flex,
  FlexItem,
  Grid,
  GridItem,
  Label,
  LabelGroup,
  List,
  ListItem,
  PageSection,
  Tab,
  TabContentBody,
  Tabs,
  TabTitleText,
  Title,
  Tooltip,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactElement, type ReactNode } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { FleetVm, Me } from '@cockpit/contracts';
import { meQuery, vmQuery } from '@cockpit/console-api';
import { VmMigrationActions } from '@cockpit/console-migrations';
import { DetailStatus, formatBytes, formatDateTime, formatMiB, Term, UsageBar } from '@cockpit/console-ui';
import { DeleteVmModal } from './DeleteVmModal.js';
import { EditVmModal, SavedChanges, type VmUpdated } from './EditVmModal.js';
import { refusalOnVm } from './permissions.js';
import { VmStateLabel } from './states.js';
import { VmConsoleTab } from './VmConsoleTab.js';
import { VmEvents } from './VmEvents.js';
import { VmMetrics } from './VmMetrics.js';
import { VmPowerButtons } from './VmPowerButtons.js';
import { VmSnapshots } from './VmSnapshots.js';
import { formatBootOrder, pendingOf } from './vm-fields.js';

/** "applies at next boot: 4" beside a value the VM will change at its next cold start. */
function AtNextBoot({ value }: { value: ReactNode }) {
  return (
    <>
      {' '}
      <Label color="orange" isCompact>
        applies at next boot: {value}
      </Label>
    </>
  );
}

function Configuration({ vm }: { vm: FleetVm }) {
  const pending = vm.pendingChanges;
  return (
    <DescriptionList isCompact isHorizontal>
      <Term term="State">
        <VmStateLabel state={vm.state} />
      </Term>
      <Term term="Host">
        <Link to={`/hosts/${vm.hostId}`}>{vm.hostName}</Link>
      </Term>
      <Term term="vCPUs">
        {vm.vcpus}
        {pending.vcpus !== undefined && <AtNextBoot value={pending.vcpus} />}
      </Term>
      <Term term="Memory">{formatMiB(vm.memoryMiB)}</Term>
      <Term term="CPU model">
        {vm.cpu.model}
        {pending.cpu && <AtNextBoot value={pending.cpu.model} />}
      </Term>
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
      <Term term="Autostart">{vm.autostart ? 'yes, when its host boots' : 'no'}</Term>
      <Term term="Boot order">
        {formatBootOrder(vm.bootOrder)}
        {pending.bootOrder && <AtNextBoot value={formatBootOrder(pending.bootOrder)} />}
      </Term>
      <Term term="Snapshots">{vm.snapshotCount}</Term>
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
            <Td dataLabel="Device">
              {disk.id}
              {vm.pendingChanges.removeDisks?.includes(disk.id) && <AtNextBoot value="removed" />}
            </Td>
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

const TABS = ['overview', 'snapshots', 'events', 'console'] as const;
type TabKey = (typeof TABS)[number];

function Overview({ vm }: { vm: FleetVm }) {
  return (
    <Grid hasGutter>
      <GridItem lg={7}>
        <Card isFullHeight>
          <CardTitle>Configuration</CardTitle>
          <CardBody>
            <Configuration vm={vm} />
          </CardBody>
        </Card>
      </GridItem>
      <GridItem lg={5}>
        <Card isFullHeight>
          <CardTitle>Live use</CardTitle>
          <CardBody>{vm.stats ? <LiveUse vm={vm} /> : 'No sample yet.'}</CardBody>
        </Card>
      </GridItem>
      <GridItem lg={6}>
        <Card>
          <CardTitle>Disks</CardTitle>
          <CardBody>
            <Disks vm={vm} />
          </CardBody>
        </Card>
      </GridItem>
      <GridItem lg={6}>
        <Card>
          <CardTitle>Network interfaces</CardTitle>
          <CardBody>
            <Nics vm={vm} />
          </CardBody>
        </Card>
      </GridItem>
      <GridItem>
        <Card>
          <CardTitle>Charts</CardTitle>
          <CardBody>
            <VmMetrics vm={vm} />
          </CardBody>
        </Card>
      </GridItem>
    </Grid>
  );
}

/** A button the user may not use is shown disabled, saying why on hover and focus. */
function Guarded({ refusal, children }: { refusal: string | undefined; children: ReactElement }) {
  return refusal ? <Tooltip content={refusal}>{children}</Tooltip> : children;
}

function editRefusal(me: Me | null | undefined, vm: FleetVm): string | undefined {
  return refusalOnVm(me, 'vm.edit', vm) ?? (vm.state === 'migrating' ? 'A migrating VM takes no change' : undefined);
}

function deleteRefusal(me: Me | null | undefined, vm: FleetVm): string | undefined {
  return (
    refusalOnVm(me, 'vm.delete', vm) ??
    (vm.state === 'shutoff' || vm.state === 'crashed' ? undefined : 'Shut the VM off before deleting it')
  );
}

/**
 * One VM: its state with the power actions it allows, edit and delete, its configuration with what
 * waits for the next boot, live use, disks, NICs and charts; its snapshots, events and console, a
 * tab each (?tab=… links to one). Leaving the console tab closes the console.
 */
export function VmDetailPage() {
  const { vmId = '' } = useParams();
  const vm = useQuery(vmQuery(vmId));
  const me = useQuery(meQuery());
  const [searchParams, setSearchParams] = useSearchParams();
  const requested = searchParams.get('tab');
  const tab: TabKey = TABS.find((key) => key === requested) ?? 'overview';
  const [dialog, setDialog] = useState<'edit' | 'delete' | null>(null);
  const [saved, setSaved] = useState<VmUpdated | null>(null);
  if (!vm.data) return <DetailStatus what="VM" error={vm.error} backTo={{ path: '/vms', label: 'the VMs' }} />;
  const { data } = vm;
  const pending = pendingOf(data);
  const cannotEdit = editRefusal(me.data, data);
  const cannotDelete = deleteRefusal(me.data, data);
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
        <Flex style={{ marginTop: 'var(--pf-t--global--spacer--md)' }} spaceItems={{ default: 'spaceItemsMd' }}>
          <FlexItem>
            <VmPowerButtons vm={data} />
          </FlexItem>
          <FlexItem align={{ default: 'alignRight' }}>
            <Flex spaceItems={{ default: 'spaceItemsSm' }}>
              <FlexItem>
                <VmMigrationActions vm={data} />
              </FlexItem>
              <FlexItem>
                <Guarded refusal={cannotEdit}>
                  <Button variant="secondary" isAriaDisabled={!!cannotEdit} onClick={() => setDialog('edit')}>
                    Edit
                  </Button>
                </Guarded>
              </FlexItem>
              <FlexItem>
                <Guarded refusal={cannotDelete}>
                  <Button variant="secondary" isDanger isAriaDisabled={!!cannotDelete} onClick={() => setDialog('delete')}>
                    Delete
                  </Button>
                </Guarded>
              </FlexItem>
            </Flex>
          </FlexItem>
        </Flex>
        {vm.isError && <Alert variant="warning" isInline isPlain title={`Not updating: ${vm.error.message}`} />}
        {saved && <SavedChanges answer={saved} onClose={() => setSaved(null)} />}
        {pending.length > 0 && (
          <Alert
            variant="info"
            isInline
            title="Changes wait for the next start from shut off"
            style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}
          >
            <List>
              {pending.map((change) => (
                <ListItem key={change.field}>
                  {change.field}: {change.value}
                </ListItem>
              ))}
            </List>
          </Alert>
        )}
      </PageSection>
      <PageSection isFilled>
        <Tabs
          activeKey={tab}
          onSelect={(_e, key) => setSearchParams(key === 'overview' ? {} : { tab: String(key) }, { replace: true })}
          aria-label="VM details"
          mountOnEnter
          unmountOnExit
        >
          <Tab eventKey="overview" title={<TabTitleText>Overview</TabTitleText>}>
            <TabContentBody hasPadding>
              <Overview vm={data} />
            </TabContentBody>
          </Tab>
          <Tab eventKey="snapshots" title={<TabTitleText>Snapshots ({data.snapshotCount})</TabTitleText>}>
            <TabContentBody hasPadding>
              <VmSnapshots vm={data} />
            </TabContentBody>
          </Tab>
          <Tab eventKey="events" title={<TabTitleText>Events</TabTitleText>}>
            <TabContentBody hasPadding>
              <VmEvents vm={data} />
            </TabContentBody>
          </Tab>
          <Tab eventKey="console" title={<TabTitleText>Console</TabTitleText>}>
            <TabContentBody hasPadding>
              <VmConsoleTab vm={data} />
            </TabContentBody>
          </Tab>
        </Tabs>
      </PageSection>
      {dialog === 'edit' && (
        <EditVmModal
          vm={data}
          onClose={() => setDialog(null)}
          onSaved={(answer) => {
            setDialog(null);
            setSaved(answer);
          }}
        />
      )}
      {dialog === 'delete' && <DeleteVmModal vm={data} onClose={() => setDialog(null)} />}
    </>
  );
}
