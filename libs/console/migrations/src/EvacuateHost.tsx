import {
  Alert,
  AlertActionLink,
  Bullseye,
  Button,
  Content,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  Spinner,
} from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { evacuateHost, type Host } from '@cockpit/contracts';
import { evacuationPlanQuery, meQuery, MIGRATION_LISTS_KEY, useApiMutation } from '@cockpit/console-api';
import { mayMigrateFromHost } from './permissions.js';
import { ProblemAlert } from './ProblemAlert.js';
import { PlanStarted, PlanView } from './PlanView.js';

/**
 * Moving every VM off a host: the dry-run plan first (each VM's target and why, what cannot move
 * and why, the spread before and after), then Run, which plans again and queues the moves.
 */
function EvacuateModal({ host, onClose }: { host: Pick<Host, 'id' | 'name'>; onClose: () => void }) {
  const plan = useQuery(evacuationPlanQuery(host.id));
  const run = useApiMutation(evacuateHost, { invalidates: [MIGRATION_LISTS_KEY] });
  const moves = plan.data?.plan.moves.length ?? 0;
  return (
    <Modal isOpen variant="large" onClose={onClose} aria-labelledby="evacuate-title">
      <ModalHeader
        title={`Evacuate ${host.name}`}
        labelId="evacuate-title"
        description="Every VM to a host that passes its checks, the largest first onto the host with the most free memory."
      />
      <ModalBody>
        {run.isSuccess ? (
          <PlanStarted
            job={run.data.job}
            migrations={run.data.migrations}
            followPath={`/migrations?hostId=${host.id}`}
            onClose={onClose}
          />
        ) : (
          <>
            {run.isError && <ProblemAlert title="Not run" error={run.error} />}
            {plan.isPending && (
              <Bullseye>
                <Spinner aria-label="Planning the evacuation" />
              </Bullseye>
            )}
            {plan.isError && (
              <Alert
                variant="danger"
                isInline
                title={`Could not plan it: ${plan.error.message}`}
                actionLinks={<AlertActionLink onClick={() => void plan.refetch()}>Try again</AlertActionLink>}
              />
            )}
            {plan.data && (
              <>
                <Content component="p">A dry run: nothing has moved. Run plans again with what is true then.</Content>
                <PlanView plan={plan.data.plan} />
              </>
            )}
          </>
        )}
      </ModalBody>
      <ModalFooter>
        {!run.isSuccess && (
          <Button
            variant="danger"
            isDisabled={!moves || run.isPending || plan.isFetching}
            isLoading={run.isPending}
            onClick={() => run.mutate({ params: { hostId: host.id }, body: { dryRun: false } })}
          >
            {moves ? `Run: move ${moves === 1 ? '1 VM' : `${moves} VMs`}` : 'Run'}
          </Button>
        )}
        <Button variant="link" onClick={onClose}>
          {run.isSuccess ? 'Close' : 'Cancel'}
        </Button>
      </ModalFooter>
    </Modal>
  );
}

/** The host page's Evacuate, for a user holding vm.migrate on the host. */
export function EvacuateHostButton({ host }: { host: Pick<Host, 'id' | 'name'> }) {
  const me = useQuery(meQuery());
  const [open, setOpen] = useState(false);
  if (!mayMigrateFromHost(me.data, host.id)) return null;
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        Evacuate
      </Button>
      {open && <EvacuateModal host={host} onClose={() => setOpen(false)} />}
    </>
  );
}
