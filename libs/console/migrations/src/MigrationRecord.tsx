import { Card, CardBody, CardTitle, Content, DescriptionList, Grid, GridItem, Label } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { Link } from 'react-router';
import type { Migration } from '@cockpit/contracts';
import { formatBytes, formatDateTime, NONE, Term } from '@cockpit/console-ui';
import { describeOptions, formatMs, isFinished, TYPE_LABEL } from './format.js';
import { CheckList, MigrationStateLabel } from './states.js';

const ORIGIN: Record<Migration['origin'], string> = {
  single: 'one migration',
  evacuation: 'an evacuation',
  rebalance: 'a rebalance',
};

function Result({ migration }: { migration: Migration }) {
  if (!isFinished(migration)) return <>not finished yet</>;
  if (migration.state === 'succeeded')
    return (
      <>
        <MigrationStateLabel state="succeeded" />{' '}
        {migration.type === 'storage'
          ? `its disks moved on ${migration.target.name}`
          : `${migration.vmName} runs on ${migration.target.name}`}
      </>
    );
  return (
    <>
      <MigrationStateLabel state={migration.state} /> {migration.reason ?? NONE}
    </>
  );
}

function Downtime({ migration }: { migration: Migration }) {
  if (migration.downtimeMs === null) return <>{NONE}</>;
  const limit = migration.options.downtimeLimitMs;
  const within = migration.type === 'storage' || migration.downtimeMs <= limit;
  return (
    <>
      {formatMs(migration.downtimeMs)}
      {migration.type !== 'storage' && (
        <>
          {' '}
          <Label isCompact color={within ? 'green' : 'orange'}>
            {within ? `within the ${formatMs(limit)} limit` : `over the ${formatMs(limit)} limit`}
          </Label>
        </>
      )}
    </>
  );
}

function StorageMoves({ migration }: { migration: Migration }) {
  return (
    <Table aria-label="Disks moved" variant="compact">
      <Thead>
        <Tr>
          <Th>Disk</Th>
          <Th>From pool</Th>
          <Th>To pool</Th>
          <Th>State</Th>
        </Tr>
      </Thead>
      <Tbody>
        {migration.storage.map((move) => (
          <Tr key={move.diskId}>
            <Td dataLabel="Disk">{move.diskId}</Td>
            <Td dataLabel="From pool">{move.fromPoolId}</Td>
            <Td dataLabel="To pool">{move.toPoolId}</Td>
            <Td dataLabel="State">{move.state}</Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}

/** What a migration was asked to do and what it did: options, pre-flight answers, timings, bytes, downtime, result. */
export function MigrationRecord({ migration }: { migration: Migration }) {
  const storage = migration.type === 'storage';
  return (
    <Grid hasGutter>
      <GridItem lg={6}>
        <Card isFullHeight>
          <CardTitle>Record</CardTitle>
          <CardBody>
            <DescriptionList isCompact isHorizontal aria-label="Record">
              <Term term="Result">
                <Result migration={migration} />
              </Term>
              <Term term="Type">{TYPE_LABEL[migration.type]}</Term>
              <Term term="VM">
                <Link to={`/vms/${migration.vmId}`}>{migration.vmName}</Link>
              </Term>
              <Term term="From">
                <Link to={`/hosts/${migration.source.id}`}>{migration.source.name}</Link>
              </Term>
              {!storage && (
                <Term term="To">
                  <Link to={`/hosts/${migration.target.id}`}>{migration.target.name}</Link>
                </Term>
              )}
              <Term term="Started by">
                {migration.actor.name}, as {ORIGIN[migration.origin]} (<Link to={`/jobs/${migration.jobId}`}>its job</Link>)
              </Term>
              <Term term="Created">{formatDateTime(migration.createdAt)}</Term>
              <Term term="Started">{formatDateTime(migration.startedAt)}</Term>
              <Term term="Finished">{formatDateTime(migration.finishedAt)}</Term>
              <Term term="Took">{formatMs(migration.durationMs)}</Term>
              <Term term="Transferred">{formatBytes(migration.transferredBytes)}</Term>
              {!storage && <Term term="Iterations">{migration.iterations}</Term>}
              <Term term="Downtime">
                <Downtime migration={migration} />
              </Term>
            </DescriptionList>
          </CardBody>
        </Card>
      </GridItem>
      <GridItem lg={6}>
        <Card isFullHeight>
          <CardTitle>Options</CardTitle>
          <CardBody>
            <DescriptionList isCompact isHorizontal aria-label="Options">
              {storage ? (
                <Term term="Delete the source volumes">{migration.deleteSource ? 'yes, once switched' : 'no'}</Term>
              ) : (
                describeOptions(migration.options).map(({ term, value }) => (
                  <Term key={term} term={term}>
                    {value}
                  </Term>
                ))
              )}
            </DescriptionList>
          </CardBody>
        </Card>
      </GridItem>
      <GridItem>
        <Card>
          <CardTitle>{storage ? 'Disks' : 'Pre-flight answers'}</CardTitle>
          <CardBody>
            {storage ? (
              <StorageMoves migration={migration} />
            ) : migration.preflight.length ? (
              <>
                <Content component="p">The checks as they were when it started.</Content>
                <CheckList checks={migration.preflight} label="Pre-flight answers" />
              </>
            ) : (
              <Content component="p">No checks recorded.</Content>
            )}
          </CardBody>
        </Card>
      </GridItem>
    </Grid>
  );
}
