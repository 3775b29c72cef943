import {
  Alert,
  Breadcrumb,
  BreadcrumbItem,
  Card,
  CardBody,
  CardTitle,
  Flex,
  FlexItem,
  PageSection,
  Title,
} from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import type { Migration } from '@cockpit/contracts';
import { meQuery, migrationQuery } from '@cockpit/console-api';
import { DetailStatus } from '@cockpit/console-ui';
import { isFinished, TYPE_LABEL } from './format.js';
import { LiveProgress, ProgressChart, useProgressSamples } from './LiveProgress.js';
import { BandwidthControl, CancelMigrationButton } from './MigrationControls.js';
import { MigrationRecord } from './MigrationRecord.js';
import { mayMigrateVm } from './permissions.js';
import { MigrationStateLabel } from './states.js';

/** What a migration not finished is doing, in a sentence: waiting, checking, copying, switching over. */
function stateSentence(migration: Migration): string {
  const { vmName, target } = migration;
  switch (migration.state) {
    case 'queued':
      return `Waiting for a slot${migration.reason ? `: ${migration.reason}` : ''}.`;
    case 'preflight':
      return 'Checking once more that the move still holds.';
    case 'running':
      return migration.type === 'storage' ? 'Mirroring the disks while the guest runs.' : `Moving ${vmName} to ${target.name}.`;
    case 'completing':
      return `Switching over to ${target.name}: it can no longer be cancelled.`;
    default:
      return migration.reason ?? '';
  }
}

function Live({ migration }: { migration: Migration }) {
  const me = useQuery(meQuery());
  const samples = useProgressSamples(migration);
  const finished = isFinished(migration);
  const mayChange = mayMigrateVm(me.data, { id: migration.vmId, hostId: migration.source.id });
  return (
    <>
      {!finished && (
        <PageSection>
          <Card>
            <CardTitle>Live progress</CardTitle>
            <CardBody>
              <LiveProgress migration={migration} />
              {mayChange && migration.state !== 'completing' && <BandwidthControl migration={migration} />}
            </CardBody>
          </Card>
        </PageSection>
      )}
      {samples.length > 0 && (
        <PageSection>
          <Card>
            <CardBody>
              <ProgressChart samples={samples} />
            </CardBody>
          </Card>
        </PageSection>
      )}
    </>
  );
}

/**
 * One migration. While it runs: its state and reason, live progress from the job.progress events
 * (no polling), the chart, Cancel and the bandwidth limit. Always: its record.
 */
export function MigrationPage() {
  const { migrationId = '' } = useParams();
  const migration = useQuery(migrationQuery(migrationId));
  const me = useQuery(meQuery());
  if (!migration.data)
    return <DetailStatus what="migration" error={migration.error} backTo={{ path: '/migrations', label: 'the migrations' }} />;
  const { data } = migration;
  const finished = isFinished(data);
  const title = data.type === 'storage' ? `Storage of ${data.vmName}` : `${data.vmName} to ${data.target.name}`;
  const mayCancel = mayMigrateVm(me.data, { id: data.vmId, hostId: data.source.id });
  return (
    <>
      <PageSection>
        <Breadcrumb>
          <BreadcrumbItem
            render={({ className }) => (
              <Link className={className} to="/migrations">
                Migrations
              </Link>
            )}
          />
          <BreadcrumbItem isActive>{title}</BreadcrumbItem>
        </Breadcrumb>
        <Flex alignItems={{ default: 'alignItemsCenter' }} style={{ marginTop: 'var(--pf-t--global--spacer--sm)' }}>
          <FlexItem>
            <Title headingLevel="h1">{title}</Title>
          </FlexItem>
          <FlexItem>
            <MigrationStateLabel state={data.state} />
          </FlexItem>
          <FlexItem>{TYPE_LABEL[data.type]}</FlexItem>
          {!finished && mayCancel && (
            <FlexItem align={{ default: 'alignRight' }}>
              <CancelMigrationButton migration={data} />
            </FlexItem>
          )}
        </Flex>
        {migration.isError && <Alert variant="warning" isInline isPlain title={`Not updating: ${migration.error.message}`} />}
        {!finished && (
          <Alert
            variant="info"
            isInline
            isPlain
            title={stateSentence(data)}
            style={{ marginTop: 'var(--pf-t--global--spacer--sm)' }}
          />
        )}
        {data.state === 'failed' && (
          <Alert variant="danger" isInline title="The migration failed" style={{ marginTop: 'var(--pf-t--global--spacer--sm)' }}>
            {data.reason}
          </Alert>
        )}
        {data.state === 'cancelled' && (
          <Alert variant="warning" isInline title="Cancelled" style={{ marginTop: 'var(--pf-t--global--spacer--sm)' }}>
            {data.reason ?? `${data.vmName} stayed on ${data.source.name}.`}
          </Alert>
        )}
        {data.state === 'succeeded' && (
          <Alert
            variant="success"
            isInline
            isPlain
            title={`Succeeded: ${data.type === 'storage' ? 'the disks moved' : `${data.vmName} runs on ${data.target.name}`}`}
            style={{ marginTop: 'var(--pf-t--global--spacer--sm)' }}
          />
        )}
      </PageSection>
      <Live key={data.id} migration={data} />
      <PageSection isFilled>
        <MigrationRecord migration={data} />
      </PageSection>
    </>
  );
}
