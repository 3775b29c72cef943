import { Alert, Button, Checkbox, Modal, ModalBody, ModalFooter, ModalHeader } from '@patternfly/react-core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { deleteVm, type FleetVm } from '@cockpit/contracts';
import { ApiError, ifMatch, useApiMutation, VM_LISTS_KEY, vmQuery } from '@cockpit/console-api';

/** Deletes a shut-off VM, keeping or removing its disk images, then goes back to the VMs. */
export function DeleteVmModal({ vm, onClose }: { vm: FleetVm; onClose: () => void }) {
  const [keepDisks, setKeepDisks] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const remove = useApiMutation(deleteVm, {
    invalidates: [VM_LISTS_KEY],
    // Off its page first: refreshing it now would only find it gone.
    onSuccess: () => navigate('/vms'),
    onError: (error) => {
      if (error instanceof ApiError && error.status === 412) void queryClient.invalidateQueries(vmQuery(vm.id));
    },
  });
  return (
    <Modal isOpen variant="small" onClose={onClose} aria-labelledby="delete-vm-title" aria-describedby="delete-vm-body">
      <ModalHeader title={`Delete ${vm.name}?`} titleIconVariant="danger" labelId="delete-vm-title" />
      <ModalBody id="delete-vm-body">
        {remove.isError && <Alert variant="danger" isInline isPlain title={`Not deleted: ${remove.error.message}`} />}
        <p>
          {vm.name} is removed from {vm.hostName}, with its snapshots. This cannot be undone.
        </p>
        <Checkbox
          id="delete-vm-keep-disks"
          label="Keep its disk images in their pools"
          description={vm.disks.map((disk) => `${disk.id} on ${disk.poolId}`).join(', ') || 'It has no disks'}
          isChecked={keepDisks}
          onChange={(_e, on) => setKeepDisks(on)}
        />
      </ModalBody>
      <ModalFooter>
        <Button
          variant="danger"
          isLoading={remove.isPending}
          isDisabled={remove.isPending}
          onClick={() =>
            remove.mutate({
              params: { vmId: vm.id },
              query: { keepDisks: keepDisks ? 'true' : 'false' },
              headers: ifMatch(vm.generation),
            })
          }
        >
          Delete
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
