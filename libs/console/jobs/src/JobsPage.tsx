import { Content, PageSection, Title } from '@patternfly/react-core';
import { Link } from 'react-router';
import { JobState, type JobSummary } from '@cockpit/contracts';
import { jobsPageQuery } from '@cockpit/console-api';
import { formatDateTime, PagedList, type ListColumn, type ListFilter, type ListRequest } from '@cockpit/console-ui';
import { describeCounts, JobStateLabel } from './JobProgress.js';

const COLUMNS: ListColumn<JobSummary>[] = [
  { title: 'Job', cell: (job) => <Link to={`/jobs/${job.id}`}>{job.title}</Link> },
  { title: 'State', sortField: 'state', cell: (job) => <JobStateLabel state={job.state} /> },
  { title: 'Progress', cell: (job) => describeCounts(job.progress) },
  { title: 'Kind', sortField: 'kind', cell: (job) => job.kind },
  { title: 'Started by', cell: (job) => job.actor.name },
  { title: 'Created', sortField: 'createdAt', cell: (job) => formatDateTime(job.createdAt) },
];

const FILTERS: ListFilter[] = [
  {
    kind: 'select',
    name: 'state',
    label: 'Filter jobs by state',
    anyLabel: 'All states',
    options: JobState.options.map((state) => ({ value: state, label: state })),
  },
  {
    kind: 'select',
    name: 'mine',
    label: 'Filter jobs by who started them',
    anyLabel: 'Anyone',
    options: [{ value: 'true', label: 'Started by me' }],
  },
];

const jobsPage = ({ filters, sort, limit, cursor }: ListRequest) =>
  jobsPageQuery({
    state: JobState.safeParse(filters['state']).data,
    mine: filters['mine'] === 'true' ? 'true' : undefined,
    sort,
    limit,
    cursor,
  });

/** Every job the user started or may view, newest first. */
export function JobsPage() {
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Jobs</Title>
        <Content component="p">Work Cockpit does over time on many targets: bulk VM actions today.</Content>
      </PageSection>
      <PageSection isFilled>
        <PagedList
          label="Jobs"
          noun="jobs"
          columns={COLUMNS}
          filters={FILTERS}
          defaultSort="-createdAt"
          query={jobsPage}
          rowKey={(job) => job.id}
          empty={{ title: 'No jobs', body: 'Jobs appear here once someone runs a bulk action.' }}
        />
      </PageSection>
    </>
  );
}
