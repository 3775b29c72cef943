import { Alert, Button, Tooltip } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { cancelJob, type JobSummary } from '@cockpit/contracts';
import { jobKey, JOB_LISTS_KEY, meQuery, useApiMutation } from '@cockpit/console-api';
import { isFinished } from './JobProgress.js';
import { cancelRefusal } from './permissions.js';

/** Cancel a job not finished yet: targets not started are cancelled, those in flight finish. */
export function CancelJobButton({ job }: { job: JobSummary }) {
  const me = useQuery(meQuery());
  const cancel = useApiMutation(cancelJob, { invalidates: [jobKey(job.id), JOB_LISTS_KEY] });
  if (isFinished(job)) return null;
  const refusal = cancelRefusal(me.data);
  const button = (
    <Button
      variant="secondary"
      isDanger
      isAriaDisabled={!!refusal || job.state === 'cancelling' || cancel.isPending}
      isLoading={cancel.isPending}
      onClick={() => cancel.mutate({ params: { jobId: job.id } })}
    >
      {job.state === 'cancelling' ? 'Cancelling…' : 'Cancel job'}
    </Button>
  );
  return (
    <>
      {refusal ? <Tooltip content={refusal}>{button}</Tooltip> : button}
      {cancel.isError && <Alert variant="danger" isInline isPlain title={`Could not cancel: ${cancel.error.message}`} />}
    </>
  );
}
