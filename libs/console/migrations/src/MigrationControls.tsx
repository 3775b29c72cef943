import {
  Alert,
  Button,
  Flex,
  FlexItem,
  FormGroup,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  Slider,
  TextInput,
  Tooltip,
} from '@patternfly/react-core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { cancelMigration, updateMigration, type Migration } from '@cockpit/contracts';
import { MIGRATION_LISTS_KEY, migrationKey, useApiMutation } from '@cockpit/console-api';
import { formatBandwidth } from './format.js';

/** A change's answer is the migration as it is now: the page shows it, the lists are read again. */
function useMigrationMutation<R extends typeof cancelMigration | typeof updateMigration>(route: R, migration: Migration) {
  const queryClient = useQueryClient();
  return useApiMutation(route, {
    invalidates: [MIGRATION_LISTS_KEY],
    onSuccess: (answer) => queryClient.setQueryData(migrationKey(migration.id), answer),
  });
}

/**
 * Cancel, confirmed first: a queued migration ends at once, a running one is stopped on its host
 * and the VM goes on running on the source. During the switch-over it can no longer be stopped.
 */
export function CancelMigrationButton({ migration }: { migration: Migration }) {
  const [confirming, setConfirming] = useState(false);
  const cancel = useMigrationMutation(cancelMigration, migration);
  const switching = migration.state === 'completing';
  // Asked here or from anywhere else (the record says so), and not ended yet.
  const requested =
    (migration.cancelRequested || cancel.isSuccess) && !['cancelled', 'failed', 'succeeded'].includes(migration.state);
  const button = (
    <Button
      variant="secondary"
      isDanger
      isAriaDisabled={switching || requested || cancel.isPending}
      isLoading={cancel.isPending}
      onClick={() => setConfirming(true)}
    >
      {requested ? 'Cancelling…' : 'Cancel migration'}
    </Button>
  );
  return (
    <>
      {switching ? (
        <Tooltip content={`${migration.vmName} is switching over: the migration can no longer be cancelled`}>{button}</Tooltip>
      ) : (
        button
      )}
      {cancel.isError && <Alert variant="danger" isInline isPlain title={`Could not cancel: ${cancel.error.message}`} />}
      {confirming && (
        <Modal isOpen variant="small" onClose={() => setConfirming(false)} aria-labelledby="cancel-migration-title">
          <ModalHeader
            title={`Cancel the migration of ${migration.vmName}?`}
            titleIconVariant="warning"
            labelId="cancel-migration-title"
          />
          <ModalBody>
            {migration.vmName} stays on {migration.source.name}; what was copied to {migration.target.name} is discarded.
          </ModalBody>
          <ModalFooter>
            <Button
              variant="danger"
              onClick={() => {
                setConfirming(false);
                cancel.mutate({ params: { migrationId: migration.id } });
              }}
            >
              Cancel migration
            </Button>
            <Button variant="link" onClick={() => setConfirming(false)}>
              Keep it going
            </Button>
          </ModalFooter>
        </Modal>
      )}
    </>
  );
}

/** Slider bounds in MiB/s; the field takes any value the api does. */
const SLIDER_MIN = 10;
const SLIDER_MAX = 2000;

/**
 * The bandwidth limit of a migration under way: a slider and a field, applied with PATCH (the
 * host gets it within a second), or lifted. Shows the limit asked for and the one in force.
 */
export function BandwidthControl({ migration }: { migration: Migration }) {
  const asked = migration.options.maxBandwidthMBps;
  const [typed, setTyped] = useState(asked === null ? '' : String(asked));
  const update = useMigrationMutation(updateMigration, migration);
  const value = typed.trim() === '' ? null : Number(typed);
  const invalid = value !== null && !(value > 0 && value <= 100_000);
  const send = (maxBandwidthMBps: number | null) =>
    update.mutate({ params: { migrationId: migration.id }, body: { maxBandwidthMBps } });
  const inForce = migration.progress?.maxBandwidthMBps;
  return (
    <FormGroup label="Bandwidth limit (MiB/s)" fieldId="migration-bandwidth">
      <Flex alignItems={{ default: 'alignItemsCenter' }} spaceItems={{ default: 'spaceItemsMd' }}>
        <FlexItem grow={{ default: 'grow' }} style={{ minWidth: 200 }}>
          <Slider
            value={Math.min(Math.max(value ?? SLIDER_MAX, SLIDER_MIN), SLIDER_MAX)}
            min={SLIDER_MIN}
            max={SLIDER_MAX}
            step={10}
            thumbAriaLabel="Bandwidth limit slider"
            onChange={(_e, next) => setTyped(String(next))}
          />
        </FlexItem>
        <FlexItem>
          <TextInput
            id="migration-bandwidth"
            type="number"
            placeholder="unlimited"
            value={typed}
            validated={invalid ? 'error' : 'default'}
            onChange={(_e, next) => setTyped(next)}
            style={{ width: '9em' }}
          />
        </FlexItem>
        <FlexItem>
          <Button
            variant="secondary"
            isDisabled={invalid || value === asked || update.isPending}
            isLoading={update.isPending && update.variables?.body.maxBandwidthMBps !== null}
            onClick={() => send(value)}
          >
            Apply
          </Button>
        </FlexItem>
        <FlexItem>
          <Button
            variant="link"
            isDisabled={asked === null || update.isPending}
            onClick={() => {
              setTyped('');
              send(null);
            }}
          >
            Unlimited
          </Button>
        </FlexItem>
      </Flex>
      <p>
        Asked for: {formatBandwidth(asked)}
        {inForce !== undefined && <>; in force on the host: {formatBandwidth(inForce)}</>}
      </p>
      {invalid && <Alert variant="danger" isInline isPlain title="More than 0 and at most 100,000 MiB/s; empty for no limit" />}
      {update.isError && <Alert variant="danger" isInline isPlain title={`Not changed: ${update.error.message}`} />}
    </FormGroup>
  );
}
