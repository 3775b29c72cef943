import {
  Alert,
  Bullseye,
  Button,
  Checkbox,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  Flex,
  FlexItem,
  Form,
  FormGroup,
  Label,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  Spinner,
  TextArea,
  TextInput,
  Tooltip,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactElement, type ReactNode } from 'react';
import {
  createVmSnapshot,
  deleteVmSnapshot,
  revertVmSnapshot,
  VaporSnapshotCreate,
  type FleetVm,
  type VmSnapshot,
} from '@cockpit/contracts';
import { ApiError, ifMatch, meQuery, useApiMutation, VM_LISTS_KEY, vmQuery, vmSnapshotsQuery } from '@cockpit/console-api';
import { fieldErrors, formatBytes, formatDateTime } from '@cockpit/console-ui';
import { refusalOnVm } from './permissions.js';
import { Help } from './vm-form.js';

/** Snapshot changes answer with the VM as it is after them: the page shows that, and the list is read again. */
function useSnapshotMutations(vm: FleetVm) {
  const queryClient = useQueryClient();
  const afterwards = {
    invalidates: [vmSnapshotsQuery(vm.id).queryKey, VM_LISTS_KEY],
    onError: (error: Error) => {
      if (error instanceof ApiError && error.status === 412) void queryClient.invalidateQueries(vmQuery(vm.id));
    },
  };
  const setVm = (next: FleetVm) => queryClient.setQueryData(vmQuery(vm.id).queryKey, next);
  return {
    take: useApiMutation(createVmSnapshot, { ...afterwards, onSuccess: (answer) => setVm(answer.vm) }),
    revert: useApiMutation(revertVmSnapshot, { ...afterwards, onSuccess: setVm }),
    remove: useApiMutation(deleteVmSnapshot, { ...afterwards, onSuccess: setVm }),
  };
}

const canKeepMemory = (vm: FleetVm) => vm.state === 'running' || vm.state === 'paused';

function TakeSnapshotModal({ vm, onClose }: { vm: FleetVm; onClose: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [memory, setMemory] = useState(canKeepMemory(vm));
  const [tried, setTried] = useState(false);
  const { take } = useSnapshotMutations(vm);
  const body = { name: name.trim(), description, memory: memory && canKeepMemory(vm) };
  const checked = VaporSnapshotCreate.safeParse(body);
  const errors = tried || name ? fieldErrors(checked) : {};
  return (
    <Modal isOpen variant="small" onClose={onClose} aria-labelledby="take-snapshot-title">
      <ModalHeader title={`Take a snapshot of ${vm.name}`} labelId="take-snapshot-title" />
      <ModalBody>
        <Form
          id="take-snapshot"
          onSubmit={(event) => {
            event.preventDefault();
            setTried(true);
            if (checked.success && !take.isPending)
              take.mutate({ params: { vmId: vm.id }, body, headers: ifMatch(vm.generation) }, { onSuccess: onClose });
          }}
        >
          {take.isError && <Alert variant="danger" isInline isPlain title={`Not taken: ${take.error.message}`} />}
          <FormGroup label="Name" fieldId="snapshot-name" isRequired>
            <TextInput
              id="snapshot-name"
              value={name}
              validated={errors['name'] ? 'error' : 'default'}
              onChange={(_e, v) => setName(v)}
            />
            <Help error={errors['name']} help="Unique among this VM’s snapshots." />
          </FormGroup>
          <FormGroup label="Description" fieldId="snapshot-description">
            <TextArea
              id="snapshot-description"
              value={description}
              onChange={(_e, v) => setDescription(v)}
              resizeOrientation="vertical"
            />
          </FormGroup>
          <Checkbox
            id="snapshot-memory"
            label="Include memory (the running state)"
            description={
              canKeepMemory(vm)
                ? 'A revert then resumes the VM as it was, running or paused. Without it: disks and definition only.'
                : 'Only a running or paused VM has a memory state: this one gets its disks and definition only.'
            }
            isChecked={memory && canKeepMemory(vm)}
            isDisabled={!canKeepMemory(vm)}
            onChange={(_e, on) => setMemory(on)}
          />
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button
          type="submit"
          form="take-snapshot"
          isLoading={take.isPending}
          isDisabled={take.isPending || (tried && !checked.success)}
        >
          Take snapshot
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}

/** Confirms a revert or a delete of one snapshot. */
function ConfirmSnapshot({
  vm,
  snapshot,
  what,
  onClose,
}: {
  vm: FleetVm;
  snapshot: VmSnapshot;
  what: 'revert' | 'delete';
  onClose: () => void;
}) {
  const { revert, remove } = useSnapshotMutations(vm);
  const mutation = what === 'revert' ? revert : remove;
  const input = { params: { vmId: vm.id, snapshotId: snapshot.id }, headers: ifMatch(vm.generation) };
  const title = what === 'revert' ? `Revert ${vm.name} to ${snapshot.name}?` : `Delete snapshot ${snapshot.name}?`;
  const body: ReactNode =
    what === 'revert'
      ? `Its disks and definition go back to how they were on ${formatDateTime(snapshot.createdAt)}; what changed since is lost. ${
          snapshot.memory
            ? `It resumes as it was then (${snapshot.vmState}).`
            : 'It is left shut off (the snapshot has no memory state).'
        }`
      : 'The space it takes is freed; snapshots taken after it move up to its parent. The VM itself does not change.';
  return (
    <Modal isOpen variant="small" onClose={onClose} aria-labelledby="confirm-snapshot-title">
      <ModalHeader title={title} titleIconVariant="warning" labelId="confirm-snapshot-title" />
      <ModalBody>
        {mutation.isError && <Alert variant="danger" isInline isPlain title={mutation.error.message} />}
        {body}
      </ModalBody>
      <ModalFooter>
        <Button
          variant="danger"
          isLoading={mutation.isPending}
          isDisabled={mutation.isPending}
          onClick={() => mutation.mutate(input, { onSuccess: onClose })}
        >
          {what === 'revert' ? 'Revert' : 'Delete'}
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}

/** A VM's snapshots as its host reports them: take one (with or without memory), revert to one, delete one. */
export function VmSnapshots({ vm }: { vm: FleetVm }) {
  const me = useQuery(meQuery());
  const snapshots = useQuery(vmSnapshotsQuery(vm.id));
  const [taking, setTaking] = useState(false);
  const [confirming, setConfirming] = useState<{ snapshot: VmSnapshot; what: 'revert' | 'delete' } | null>(null);
  const refusal = refusalOnVm(me.data, 'vm.snapshot', vm);
  const guarded = (button: ReactElement) => (refusal ? <Tooltip content={refusal}>{button}</Tooltip> : button);
  const byId = new Map(snapshots.data?.items.map((snapshot) => [snapshot.id, snapshot]));

  let body: ReactNode;
  if (snapshots.isPending) {
    body = (
      <Bullseye>
        <Spinner size="lg" aria-label="Loading snapshots" />
      </Bullseye>
    );
  } else if (!snapshots.data) {
    body = (
      <EmptyState titleText="Could not load the snapshots" headingLevel="h3" status="danger" variant="sm">
        <EmptyStateBody>{snapshots.error?.message}</EmptyStateBody>
        <EmptyStateFooter>
          <EmptyStateActions>
            <Button variant="primary" onClick={() => void snapshots.refetch()} isLoading={snapshots.isFetching}>
              Try again
            </Button>
          </EmptyStateActions>
        </EmptyStateFooter>
      </EmptyState>
    );
  } else if (!snapshots.data.items.length) {
    body = (
      <EmptyState titleText="No snapshots" headingLevel="h3" variant="sm">
        <EmptyStateBody>
          A snapshot keeps the VM’s disks and definition (and with memory, its running state) to go back to.
        </EmptyStateBody>
      </EmptyState>
    );
  } else {
    body = (
      <Table aria-label="Snapshots" variant="compact">
        <Thead>
          <Tr>
            <Th>Name</Th>
            <Th>Taken</Th>
            <Th>Kind</Th>
            <Th>VM was</Th>
            <Th>Parent</Th>
            <Th>Size</Th>
            <Th screenReaderText="Actions" />
          </Tr>
        </Thead>
        <Tbody>
          {snapshots.data.items.map((snapshot) => (
            <Tr key={snapshot.id}>
              <Td dataLabel="Name">
                {snapshot.name}{' '}
                {snapshot.current && (
                  <Label color="blue" isCompact>
                    current
                  </Label>
                )}
                {snapshot.description && <div className="pf-v6-u-font-size-sm">{snapshot.description}</div>}
              </Td>
              <Td dataLabel="Taken">{formatDateTime(snapshot.createdAt)}</Td>
              <Td dataLabel="Kind">{snapshot.memory ? 'with memory' : 'disks only'}</Td>
              <Td dataLabel="VM was">{snapshot.vmState}</Td>
              <Td dataLabel="Parent">{snapshot.parentId ? (byId.get(snapshot.parentId)?.name ?? '—') : '—'}</Td>
              <Td dataLabel="Size">{formatBytes(snapshot.sizeBytes)}</Td>
              <Td dataLabel="Actions" isActionCell>
                <Flex spaceItems={{ default: 'spaceItemsSm' }} flexWrap={{ default: 'nowrap' }}>
                  <FlexItem>
                    {guarded(
                      <Button
                        variant="secondary"
                        size="sm"
                        isAriaDisabled={!!refusal}
                        aria-label={`Revert to ${snapshot.name}`}
                        onClick={() => setConfirming({ snapshot, what: 'revert' })}
                      >
                        Revert
                      </Button>,
                    )}
                  </FlexItem>
                  <FlexItem>
                    {guarded(
                      <Button
                        variant="secondary"
                        isDanger
                        size="sm"
                        isAriaDisabled={!!refusal}
                        aria-label={`Delete ${snapshot.name}`}
                        onClick={() => setConfirming({ snapshot, what: 'delete' })}
                      >
                        Delete
                      </Button>,
                    )}
                  </FlexItem>
                </Flex>
              </Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    );
  }

  return (
    <>
      <Flex style={{ marginBottom: 'var(--pf-t--global--spacer--md)' }}>
        <FlexItem>
          {guarded(
            <Button variant="primary" isAriaDisabled={!!refusal} onClick={() => setTaking(true)}>
              Take snapshot
            </Button>,
          )}
        </FlexItem>
      </Flex>
      {snapshots.isError && snapshots.data && (
        <Alert variant="warning" isInline isPlain title={`Not updating: ${snapshots.error.message}`} />
      )}
      {body}
      {taking && <TakeSnapshotModal vm={vm} onClose={() => setTaking(false)} />}
      {confirming && <ConfirmSnapshot vm={vm} {...confirming} onClose={() => setConfirming(null)} />}
    </>
  );
}
