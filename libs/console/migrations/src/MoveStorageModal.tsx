import {
  Alert,
  Button,
  Checkbox,
  Form,
  FormGroup,
  FormSelect,
  FormSelectOption,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  Spinner,
  TextInput,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { startStorageMigration, StorageMigrationBody, type FleetVm } from '@cockpit/contracts';
import { hostQuery, MIGRATION_LISTS_KEY, useApiMutation } from '@cockpit/console-api';
import { fieldErrors, formatBytes } from '@cockpit/console-ui';
import { ProblemAlert } from './ProblemAlert.js';

/**
 * Moves disks of a VM to other pools on its host while it runs: a target pool per disk (or leave
 * it where it is), whether the source volumes are deleted once the switch is confirmed, and an
 * optional bandwidth limit. Started, it leads to the migration's live view.
 */
export function MoveStorageModal({ vm, onClose }: { vm: FleetVm; onClose: () => void }) {
  const navigate = useNavigate();
  const host = useQuery(hostQuery(vm.hostId));
  const [targets, setTargets] = useState<Record<string, string>>({});
  const [deleteSource, setDeleteSource] = useState(true);
  const [bandwidth, setBandwidth] = useState('');
  const start = useApiMutation(startStorageMigration, {
    invalidates: [MIGRATION_LISTS_KEY],
    onSuccess: (migration) => {
      onClose();
      void navigate(`/migrations/${migration.id}`);
    },
  });
  const disks = vm.disks
    .filter((disk) => targets[disk.id])
    .map((disk) => ({ diskId: disk.id, targetPoolId: targets[disk.id] ?? '' }));
  const body = {
    vmId: vm.id,
    disks,
    deleteSource,
    maxBandwidthMBps: bandwidth.trim() === '' ? null : Number(bandwidth),
  };
  const checked = StorageMigrationBody.safeParse(body);
  const errors = fieldErrors(checked);
  const pools = host.data?.pools ?? [];

  return (
    <Modal isOpen variant="medium" onClose={onClose} aria-labelledby="move-storage-title">
      <ModalHeader
        title={`Move the storage of ${vm.name}`}
        labelId="move-storage-title"
        description={`To other pools on ${vm.hostName}; the VM keeps running, each disk mirrored and then switched over.`}
      />
      <ModalBody>
        {host.isPending && <Spinner size="md" aria-label="Loading the host’s pools" />}
        {host.isError && <Alert variant="danger" isInline title={`Cannot read the host’s pools: ${host.error.message}`} />}
        {start.isError && <ProblemAlert title="Not started" error={start.error} />}
        <Form
          id="move-storage"
          onSubmit={(event) => {
            event.preventDefault();
            if (checked.success && !start.isPending) start.mutate({ body });
          }}
        >
          <Table aria-label="Disks to move" variant="compact">
            <Thead>
              <Tr>
                <Th>Disk</Th>
                <Th>Size</Th>
                <Th>Now on</Th>
                <Th>Move to</Th>
              </Tr>
            </Thead>
            <Tbody>
              {vm.disks.map((disk) => (
                <Tr key={disk.id}>
                  <Td dataLabel="Disk">{disk.id}</Td>
                  <Td dataLabel="Size">
                    {formatBytes(disk.allocatedBytes)} of {formatBytes(disk.sizeBytes)}
                  </Td>
                  <Td dataLabel="Now on">{disk.poolId}</Td>
                  <Td dataLabel="Move to">
                    <FormSelect
                      aria-label={`Target pool of ${disk.id}`}
                      value={targets[disk.id] ?? ''}
                      onChange={(_e, poolId) => setTargets((held) => ({ ...held, [disk.id]: poolId }))}
                    >
                      <FormSelectOption value="" label={`Keep it on ${disk.poolId}`} />
                      {pools
                        .filter((pool) => pool.id !== disk.poolId)
                        .map((pool) => (
                          <FormSelectOption
                            key={pool.id}
                            value={pool.id}
                            label={`${pool.id} (${pool.type}, ${formatBytes(pool.freeBytes)} free)`}
                          />
                        ))}
                    </FormSelect>
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
          <Checkbox
            id="move-storage-delete-source"
            label="Delete the source volumes"
            description="Once the switch to the new pool is confirmed. Off, the old volumes stay in their pools."
            isChecked={deleteSource}
            onChange={(_e, on) => setDeleteSource(on)}
          />
          <FormGroup label="Bandwidth limit (MiB/s)" fieldId="move-storage-bandwidth">
            <TextInput
              id="move-storage-bandwidth"
              type="number"
              placeholder="unlimited"
              value={bandwidth}
              validated={errors['maxBandwidthMBps'] ? 'error' : 'default'}
              onChange={(_e, value) => setBandwidth(value)}
            />
          </FormGroup>
          {errors['maxBandwidthMBps'] && <Alert variant="danger" isInline isPlain title={errors['maxBandwidthMBps']} />}
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button type="submit" form="move-storage" isDisabled={!checked.success || start.isPending} isLoading={start.isPending}>
          {disks.length > 1 ? `Move ${disks.length} disks` : 'Move'}
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
