import {
  Badge,
  Divider,
  Dropdown,
  DropdownItem,
  DropdownList,
  MenuToggle,
  Spinner,
  type MenuToggleElement,
} from '@patternfly/react-core';
import { ExclamationTriangleIcon, TaskIcon } from '@patternfly/react-icons';
import { useQuery } from '@tanstack/react-query';
import { useState, type Ref } from 'react';
import { useNavigate } from 'react-router';
import { canSomewhere } from '@cockpit/console-access';
import { activeJobsQuery, meQuery } from '@cockpit/console-api';
import { describeCounts } from './JobProgress.js';

/**
 * Masthead: how many of the user's jobs are running, and each one's progress in a menu leading to
 * its page. Kept current by job.progress events (the live cache refetches job lists), not polled.
 */
export function JobsIndicator() {
  const me = useQuery(meQuery());
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const jobs = useQuery({ ...activeJobsQuery(), enabled: canSomewhere(me.data, 'job.view') });
  if (!canSomewhere(me.data, 'job.view')) return null;
  const running = jobs.data?.total ?? 0;
  const go = (path: string) => {
    setOpen(false);
    void navigate(path);
  };

  const toggle = (ref: Ref<MenuToggleElement>) => (
    <MenuToggle
      ref={ref}
      variant="plain"
      onClick={() => setOpen(!open)}
      isExpanded={open}
      aria-label={jobs.isError ? 'Jobs: could not load them' : `Running jobs: ${running}`}
      icon={jobs.isError && !jobs.data ? <ExclamationTriangleIcon /> : <TaskIcon />}
    >
      {jobs.isPending ? (
        <Spinner size="sm" aria-label="Loading your jobs" />
      ) : (
        running > 0 && <Badge isRead={false}>{running.toLocaleString()}</Badge>
      )}
    </MenuToggle>
  );

  return (
    <Dropdown isOpen={open} onOpenChange={setOpen} toggle={toggle} popperProps={{ position: 'right' }}>
      <DropdownList aria-label="Your running jobs">
        {jobs.isError && (
          <DropdownItem key="error" isAriaDisabled description={jobs.error.message}>
            Could not load your jobs
          </DropdownItem>
        )}
        {jobs.data && !jobs.data.items.length && (
          <DropdownItem key="none" isAriaDisabled>
            None of your jobs is running
          </DropdownItem>
        )}
        {jobs.data?.items.map((job) => (
          <DropdownItem
            key={job.id}
            description={`${job.state}: ${describeCounts(job.progress)}`}
            onClick={() => go(`/jobs/${job.id}`)}
          >
            {job.title}
          </DropdownItem>
        ))}
        {jobs.data && jobs.data.total > jobs.data.items.length && (
          <DropdownItem key="more" isAriaDisabled>
            {(jobs.data.total - jobs.data.items.length).toLocaleString()} more running
          </DropdownItem>
        )}
        <Divider component="li" key="divider" />
        <DropdownItem key="all" onClick={() => go('/jobs')}>
          All jobs
        </DropdownItem>
      </DropdownList>
    </Dropdown>
  );
}
