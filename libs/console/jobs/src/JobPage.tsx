import {
  Breadcrumb,
  BreadcrumbItem,
  Card,
  CardBody,
  CardTitle,
  Content,
  DescriptionList,
  Flex,
  FlexItem,
  PageSection,
  Title,
  Alert,
} from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { JobTargetState, type JobDetail, type JobTarget } from '@cockpit/contracts';
import { hostQuery, jobQuery, jobTargetsQuery } from '@cockpit/console-api';
import {
  DetailStatus,
  formatDateTime,
  type ListColumn,
  type ListFilter,
  type ListRequest,
  NONE,
  PagedList,
  Term,
} from '@cockpit/console-ui';
import { CancelJobButton } from './CancelJobButton.js';
import { JobProgress, JobStateLabel, TargetStateLabel } from './JobProgress.js';

/** "4.2 s" between two instants, or — when either is missing. */
function duration(from: string | null, to: string | null): string {
  if (!from || !to) return NONE;
  const seconds = (Date.parse(to) - Date.parse(from)) / 1000;
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A VM job's group is the VM's host, by id: its name, linked (one request per host, cached). */
function HostOfTarget({ hostId }: { hostId: string }) {
  const host = useQuery(hostQuery(hostId));
  return <Link to={`/hosts/${hostId}`}>{host.data?.name ?? hostId}</Link>;
}

const groupCell = (job: JobDetail) => (target: JobTarget) => {
  if (!target.group) return NONE;
  return job.kind.startsWith('vm.') && UUID.test(target.group) ? <HostOfTarget hostId={target.group} /> : target.group;
};

/** Targets of VM jobs are VMs: link to them. */
const targetCell = (job: JobDetail) => (target: JobTarget) =>
  job.kind.startsWith('vm.') ? <Link to={`/vms/${target.targetId}`}>{target.label}</Link> : target.label;

const STATE_FILTER: ListFilter = {
  kind: 'select',
  name: 'state',
  label: 'Filter targets by state',
  anyLabel: 'All states',
  options: JobTargetState.options.map((state) => ({ value: state, label: state })),
};

function Targets({ job }: { job: JobDetail }) {
  const columns: ListColumn<JobTarget>[] = [
    { title: 'Target', sortField: 'label', cell: targetCell(job) },
    { title: job.kind.startsWith('vm.') ? 'Host' : 'Group', cell: groupCell(job) },
    { title: 'State', sortField: 'state', cell: (target) => <TargetStateLabel state={target.state} /> },
    { title: 'Result', cell: (target) => target.message ?? NONE },
    { title: 'Started', cell: (target) => formatDateTime(target.startedAt) },
    { title: 'Took', cell: (target) => duration(target.startedAt, target.finishedAt) },
  ];
  const query = ({ filters, sort, limit, cursor }: ListRequest) =>
    jobTargetsQuery(job.id, { state: JobTargetState.safeParse(filters['state']).data, sort, limit, cursor });
  return (
    <PagedList
      label="Job targets"
      noun="targets"
      columns={columns}
      filters={[STATE_FILTER]}
      defaultSort="label"
      query={query}
      rowKey={(target) => target.targetId}
      empty={{ title: 'No targets', body: 'This job has nothing to act on.' }}
    />
  );
}

/** One job: what it does, who started it, how far it is, each target's result, and Cancel. */
export function JobPage() {
  const { jobId = '' } = useParams();
  const job = useQuery(jobQuery(jobId));
  if (!job.data) return <DetailStatus what="job" error={job.error} backTo={{ path: '/jobs', label: 'the jobs' }} />;
  const { data } = job;
  return (
    <>
      <PageSection>
        <Breadcrumb>
          <BreadcrumbItem
            render={({ className }) => (
              <Link className={className} to="/jobs">
                Jobs
              </Link>
            )}
          />
          <BreadcrumbItem isActive>{data.title}</BreadcrumbItem>
        </Breadcrumb>
        <Flex alignItems={{ default: 'alignItemsCenter' }} style={{ marginTop: 'var(--pf-t--global--spacer--sm)' }}>
          <FlexItem>
            <Title headingLevel="h1">{data.title}</Title>
          </FlexItem>
          <FlexItem>
            <JobStateLabel state={data.state} />
          </FlexItem>
          <FlexItem align={{ default: 'alignRight' }}>
            <CancelJobButton job={data} />
          </FlexItem>
        </Flex>
      </PageSection>
      <PageSection>
        {job.isError && <Alert variant="warning" isInline isPlain title={`Not updating: ${job.error.message}`} />}
        {data.error && (
          <Alert variant="danger" isInline title="The job failed">
            {data.error}
          </Alert>
        )}
        <JobProgress job={data} size="lg" />
        <DescriptionList
          isCompact
          isHorizontal
          columnModifier={{ lg: '2Col' }}
          style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}
        >
          <Term term="Kind">{data.kind}</Term>
          <Term term="Started by">{data.actor.name}</Term>
          <Term term="Scope">
            <code>{data.scope}</code>
          </Term>
          <Term term="Created">{formatDateTime(data.createdAt)}</Term>
          <Term term="Started">{formatDateTime(data.startedAt)}</Term>
          <Term term="Finished">{formatDateTime(data.finishedAt)}</Term>
          <Term term="Run by">{data.instance ?? NONE}</Term>
          <Term term="Attempts">
            {data.attempts}
            {data.attempts > 1 && ' (resumed by another api instance)'}
          </Term>
        </DescriptionList>
      </PageSection>
      <PageSection isFilled>
        <Card>
          <CardTitle>Targets</CardTitle>
          <CardBody>
            <Content component="p">Each target’s result, as the job records it.</Content>
            <Targets job={data} />
          </CardBody>
        </Card>
      </PageSection>
    </>
  );
}
