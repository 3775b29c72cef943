import {
  ActionList,
  ActionListItem,
  Alert,
  AlertActionCloseButton,
  Button,
  Dropdown,
  DropdownItem,
  DropdownList,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  MenuToggle,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  NumberInput,
  type MenuToggleElement,
} from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { useState, type Ref } from 'react';
import { Link } from 'react-router';
import {
  bulkVmActions,
  DEFAULT_SHUTDOWN_SECONDS,
  MAX_BULK_VMS,
  type BulkVmActionBody,
  type JobSummary,
  type VmAction,
} from '@cockpit/contracts';
import { jobQuery, JOB_LISTS_KEY, useApiMutation } from '@cockpit/console-api';
import { JobProgress, JobStateLabel } from '@cockpit/console-jobs';
import { ACTION_LABEL, ACTION_MEANS, VM_ACTIONS } from './actions.js';

/** The per-host limit a bulk action starts with, as the api's default. */
export const DEFAULT_PER_HOST = 4;

/** What a bulk action acts on: these VMs, or every VM the list's filter matches (`count` of them). */
export type BulkTarget =
  { kind: 'ids'; vmIds: readonly string[] } | { kind: 'filter'; filter: NonNullable<BulkVmActionBody['filter']>; count: number };

const countOf = (target: BulkTarget) => (target.kind === 'ids' ? target.vmIds.length : target.count);

/** "12 VMs" or "all 1,234 VMs matching the filter". */
export function describeTarget(target: BulkTarget): string {
  const count = countOf(target);
  const vms = `${count.toLocaleString()} VM${count === 1 ? '' : 's'}`;
  if (target.kind === 'ids') return vms;
  return Object.values(target.filter).some((value) => value !== undefined) ? `all ${vms} matching the filter` : `all ${vms}`;
}

/** A whole number typed in a field: '' while it is being edited (cleared), never clamped under the typing. */
type Typed = number | '';

const inRange = (value: Typed, min: number, max: number): value is number =>
  value !== '' && Number.isInteger(value) && value >= min && value <= max;

/** A whole number between min and max, with − and + steps; out of range it says so (the form is not sent). */
function WholeNumberField({
  id,
  label,
  help,
  value,
  min,
  max,
  step = 1,
  stepLabels,
  onChange,
}: {
  id: string;
  label: string;
  help: string;
  value: Typed;
  min: number;
  max: number;
  step?: number;
  stepLabels: [minus: string, plus: string];
  onChange: (value: Typed) => void;
}) {
  const valid = inRange(value, min, max);
  const stepped = (delta: number) => Math.min(Math.max((value === '' ? min : value) + delta, min), max);
  return (
    <FormGroup label={label} fieldId={id}>
      <NumberInput
        id={id}
        inputAriaLabel={label}
        value={value}
        min={min}
        max={max}
        validated={valid ? 'default' : 'error'}
        minusBtnAriaLabel={stepLabels[0]}
        plusBtnAriaLabel={stepLabels[1]}
        onMinus={() => onChange(stepped(-step))}
        onPlus={() => onChange(stepped(step))}
        onChange={(event) => {
          const raw = (event.target as HTMLInputElement).value.trim();
          onChange(raw === '' ? '' : Number(raw));
        }}
      />
      <FormHelperText>
        <HelperText>
          <HelperTextItem variant={valid ? 'default' : 'error'}>
            {valid ? help : `A whole number from ${min} to ${max.toLocaleString()}`}
          </HelperTextItem>
        </HelperText>
      </FormHelperText>
    </FormGroup>
  );
}

/** Confirms one action on the selection, with the per-host limit (and a shutdown's timeout), then submits it as a job. */
function BulkActionModal({
  action,
  target,
  onClose,
  onStarted,
}: {
  action: VmAction;
  target: BulkTarget;
  onClose: () => void;
  onStarted: (job: JobSummary) => void;
}) {
  const [perHost, setPerHost] = useState<Typed>(DEFAULT_PER_HOST);
  const [timeoutSeconds, setTimeoutSeconds] = useState<Typed>(DEFAULT_SHUTDOWN_SECONDS);
  const submit = useApiMutation(bulkVmActions, { invalidates: [JOB_LISTS_KEY], onSuccess: onStarted });
  const tooMany = countOf(target) > MAX_BULK_VMS;
  const valid = inRange(perHost, 1, 64) && (action !== 'shutdown' || inRange(timeoutSeconds, 1, 3600));
  const canSend = valid && !tooMany && !submit.isPending;
  const send = () =>
    submit.mutate({
      body: {
        action,
        ...(target.kind === 'ids' ? { vmIds: [...target.vmIds] } : { filter: target.filter }),
        perHost: Number(perHost),
        ...(action === 'shutdown' ? { timeoutSeconds: Number(timeoutSeconds) } : {}),
      },
    });
  const title = `${ACTION_LABEL[action]} ${describeTarget(target)}?`;
  return (
    <Modal isOpen variant="small" onClose={onClose} aria-labelledby="bulk-action-title">
      <ModalHeader title={title} labelId="bulk-action-title" />
      <ModalBody>
        <Form
          id="bulk-action"
          onSubmit={(event) => {
            event.preventDefault();
            if (canSend) send();
          }}
        >
          {submit.isError && <Alert variant="danger" isInline title={submit.error.message} />}
          {tooMany && (
            <Alert variant="warning" isInline title={`At most ${MAX_BULK_VMS.toLocaleString()} VMs at once: narrow the filter`} />
          )}
          <p>
            {ACTION_MEANS[action]} It runs as a job: each VM’s result is recorded, and the job can be cancelled. VMs already in
            the wanted state count as done; those you may not power are left out.
          </p>
          <WholeNumberField
            id="bulk-per-host"
            label="At most this many at once on one host"
            help="Each host works on this many of its VMs at a time (1 to 64)."
            value={perHost}
            min={1}
            max={64}
            stepLabels={['One fewer at once per host', 'One more at once per host']}
            onChange={setPerHost}
          />
          {action === 'shutdown' && (
            <WholeNumberField
              id="bulk-timeout"
              label="Seconds each guest has to shut down"
              help="A guest still running after this fails its part of the job (it keeps running)."
              value={timeoutSeconds}
              min={1}
              max={3600}
              step={10}
              stepLabels={['10 seconds less', '10 seconds more']}
              onChange={setTimeoutSeconds}
            />
          )}
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button
          type="submit"
          form="bulk-action"
          variant={action === 'poweroff' || action === 'reset' ? 'danger' : 'primary'}
          isDisabled={!canSend}
          isLoading={submit.isPending}
        >
          {ACTION_LABEL[action]}
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}

/** The toolbar's bulk actions: a menu of the power actions on what is selected. */
export function BulkActionsMenu({
  target,
  onStarted,
}: {
  /** undefined while nothing is selected. */
  target: BulkTarget | undefined;
  onStarted: (job: JobSummary) => void;
}) {
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<VmAction | null>(null);
  const toggle = (ref: Ref<MenuToggleElement>) => (
    <MenuToggle ref={ref} onClick={() => setOpen(!open)} isExpanded={open} isDisabled={!target}>
      {target ? `Power ${describeTarget(target)}` : 'Power selected VMs'}
    </MenuToggle>
  );
  return (
    <>
      <Dropdown isOpen={open} onOpenChange={setOpen} toggle={toggle}>
        <DropdownList aria-label="Power actions on the selected VMs">
          {VM_ACTIONS.map((action) => (
            <DropdownItem
              key={action}
              description={ACTION_MEANS[action]}
              onClick={() => {
                setOpen(false);
                setChosen(action);
              }}
            >
              {ACTION_LABEL[action]}
            </DropdownItem>
          ))}
        </DropdownList>
      </Dropdown>
      {chosen && target && (
        <BulkActionModal
          action={chosen}
          target={target}
          onClose={() => setChosen(null)}
          onStarted={(job) => {
            setChosen(null);
            onStarted(job);
          }}
        />
      )}
    </>
  );
}

/** The job a bulk action started, followed live (job.progress events refetch it), with a link to its page. */
export function StartedJob({ started, onClose }: { started: JobSummary; onClose: () => void }) {
  const job = useQuery({ ...jobQuery(started.id), placeholderData: { ...started, params: {} } });
  const current = job.data ?? { ...started, params: {} };
  return (
    <Alert
      variant={current.state === 'failed' ? 'danger' : current.state === 'succeeded' ? 'success' : 'info'}
      isInline
      title={
        <>
          {current.title} <JobStateLabel state={current.state} />
        </>
      }
      actionClose={<AlertActionCloseButton onClose={onClose} />}
      style={{ marginBottom: 'var(--pf-t--global--spacer--md)' }}
    >
      <JobProgress job={current} size="sm" />
      {job.isError && <p>Not updating: {job.error.message}</p>}
      <ActionList>
        <ActionListItem>
          <Link to={`/jobs/${current.id}`}>Open the job</Link>
        </ActionListItem>
      </ActionList>
    </Alert>
  );
}
