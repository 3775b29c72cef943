import { Alert, Button, Flex, FlexItem, Modal, ModalBody, ModalFooter, ModalHeader, Tooltip } from '@patternfly/react-core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { actOnVm, type FleetVm, type VmAction } from '@cockpit/contracts';
import { ApiError, ifMatch, meQuery, useApiMutation, VM_LISTS_KEY, vmQuery } from '@cockpit/console-api';
import { ACTION_LABEL, ACTION_MEANS, actionsFor, DESTRUCTIVE_ACTIONS } from './actions.js';
import { refusalOnVm } from './permissions.js';

/**
 * The power actions the VM's state allows (running: shut down, power off, reboot, reset, pause;
 * paused: resume, power off, reset; shut off or crashed: start), disabled with the reason for a
 * user without vm.power on it. Power off and reset are confirmed first. Each is sent with the
 * VM's generation (If-Match): a VM changed meanwhile is refused (412) and read again.
 */
export function VmPowerButtons({ vm }: { vm: FleetVm }) {
  const me = useQuery(meQuery());
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<VmAction | null>(null);
  const act = useApiMutation(actOnVm, {
    invalidates: [VM_LISTS_KEY],
    onSuccess: (answer) => queryClient.setQueryData(vmQuery(vm.id).queryKey, answer.vm),
    onError: (error) => {
      // Lost update: what the page shows is out of date.
      if (error instanceof ApiError && error.status === 412) void queryClient.invalidateQueries(vmQuery(vm.id));
    },
  });
  const refusal = refusalOnVm(me.data, 'vm.power', vm);
  const actions = actionsFor(vm.state);
  const send = (action: VmAction) => {
    setConfirming(null);
    act.mutate({ params: { vmId: vm.id }, body: { action }, headers: ifMatch(vm.generation) });
  };

  if (!actions.length) return null;
  return (
    <>
      <Flex spaceItems={{ default: 'spaceItemsSm' }} role="group" aria-label="Power">
        {actions.map((action, index) => {
          const button = (
            <Button
              variant={index === 0 ? 'primary' : 'secondary'}
              isDanger={DESTRUCTIVE_ACTIONS.has(action)}
              isAriaDisabled={!!refusal || act.isPending}
              isLoading={act.isPending && act.variables?.body.action === action}
              onClick={() => (DESTRUCTIVE_ACTIONS.has(action) ? setConfirming(action) : send(action))}
            >
              {ACTION_LABEL[action]}
            </Button>
          );
          return (
            <FlexItem key={action}>
              <Tooltip content={refusal ?? ACTION_MEANS[action]}>{button}</Tooltip>
            </FlexItem>
          );
        })}
      </Flex>
      {act.isError && (
        <Alert
          variant="danger"
          isInline
          isPlain
          title={`${ACTION_LABEL[act.variables?.body.action ?? 'start']} failed: ${act.error.message}`}
        />
      )}
      {confirming && (
        <Modal isOpen variant="small" onClose={() => setConfirming(null)} aria-labelledby="confirm-power-title">
          <ModalHeader
            title={`${ACTION_LABEL[confirming]} ${vm.name}?`}
            titleIconVariant="warning"
            labelId="confirm-power-title"
          />
          <ModalBody>{ACTION_MEANS[confirming]}</ModalBody>
          <ModalFooter>
            <Button variant="danger" onClick={() => send(confirming)}>
              {ACTION_LABEL[confirming]}
            </Button>
            <Button variant="link" onClick={() => setConfirming(null)}>
              Cancel
            </Button>
          </ModalFooter>
        </Modal>
      )}
    </>
  );
}
