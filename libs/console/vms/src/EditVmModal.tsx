import {
  Alert,
  AlertActionCloseButton,
  Button,
  Checkbox,
  Form,
  FormGroup,
  FormSection,
  Label,
  List,
  ListItem,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  TextInput,
} from '@patternfly/react-core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  planVmUpdate,
  updateVm,
  VmUpdate,
  type BootDevice,
  type FleetVm,
  type RouteResponse,
  type VmUpdateField,
} from '@cockpit/contracts';
import { ApiError, hostQuery, ifMatch, useApiMutation, VM_LISTS_KEY, vmQuery } from '@cockpit/console-api';
import { fieldErrors, formatMiB } from '@cockpit/console-ui';
import {
  BootOrderEditor,
  cpuModelChoices,
  diskSpecs,
  DisksEditor,
  errorsUnder,
  Help,
  nicSpecs,
  NicsEditor,
  numberOrUndefined,
  typedOf,
  type DiskDraft,
  type NicDraft,
  type Typed,
} from './vm-form.js';
import { FIELD_LABEL, fieldList, pendingOf } from './vm-fields.js';

export type VmUpdated = RouteResponse<typeof updateVm>;

const sameOrder = (a: readonly BootDevice[], b: readonly BootDevice[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** What the form changes of the VM, as PATCH /api/vms/{id} takes it: only the fields that differ. */
function changesOf(
  vm: FleetVm,
  form: {
    name: string;
    vcpus: Typed;
    memoryMiB: Typed;
    cpuModel: string;
    autostart: boolean;
    bootOrder: BootDevice[];
    removeDisks: ReadonlySet<string>;
    addDisks: DiskDraft[];
    removeNics: ReadonlySet<string>;
    addNics: NicDraft[];
    discardPending: boolean;
  },
): VmUpdate {
  const vcpus = numberOrUndefined(form.vcpus);
  const memoryMiB = numberOrUndefined(form.memoryMiB);
  return {
    ...(form.name.trim() !== vm.name ? { name: form.name.trim() } : {}),
    ...(vcpus !== vm.vcpus ? { vcpus } : {}),
    ...(memoryMiB !== vm.memoryMiB ? { memoryMiB } : {}),
    ...(form.cpuModel.trim() !== vm.cpu.model ? { cpu: { model: form.cpuModel.trim(), features: vm.cpu.features } } : {}),
    ...(form.autostart !== vm.autostart ? { autostart: form.autostart } : {}),
    ...(!sameOrder(form.bootOrder, vm.bootOrder) ? { bootOrder: form.bootOrder } : {}),
    ...(form.addDisks.length ? { addDisks: diskSpecs(form.addDisks) } : {}),
    ...(form.removeDisks.size ? { removeDisks: [...form.removeDisks] } : {}),
    ...(form.addNics.length ? { addNics: nicSpecs(form.addNics) } : {}),
    ...(form.removeNics.size ? { removeNics: [...form.removeNics] } : {}),
    ...(form.discardPending ? { discardPendingChanges: true as const } : {}),
  };
}

/** "applies at next boot" beside a changed field the VM only takes at its next cold start. */
function NextBoot({ field, nextBoot }: { field: VmUpdateField; nextBoot: readonly VmUpdateField[] }) {
  return nextBoot.includes(field) ? (
    <Label color="orange" isCompact>
      applies at next boot
    </Label>
  ) : null;
}

/**
 * Edits a VM: name, vCPUs, memory, CPU model, autostart, boot order, disks and NICs added or
 * removed. Checked against the shared schema before sending; on a running VM it says, before
 * saving, which changes wait for the next start from shut off (planVmUpdate) and, after, what the
 * api reports (appliesAtNextBoot). Sent with the VM's generation: a VM changed meanwhile is refused.
 */
export function EditVmModal({
  vm,
  onClose,
  onSaved,
}: {
  vm: FleetVm;
  onClose: () => void;
  onSaved: (answer: VmUpdated) => void;
}) {
  const queryClient = useQueryClient();
  const host = useQuery(hostQuery(vm.hostId));
  const [name, setName] = useState(vm.name);
  const [vcpus, setVcpus] = useState<Typed>(vm.vcpus);
  const [memoryMiB, setMemoryMiB] = useState<Typed>(vm.memoryMiB);
  const [cpuModel, setCpuModel] = useState(vm.cpu.model);
  const [autostart, setAutostart] = useState(vm.autostart);
  const [bootOrder, setBootOrder] = useState<BootDevice[]>([...vm.bootOrder]);
  const [removeDisks, setRemoveDisks] = useState<ReadonlySet<string>>(new Set());
  const [addDisks, setAddDisks] = useState<DiskDraft[]>([]);
  const [removeNics, setRemoveNics] = useState<ReadonlySet<string>>(new Set());
  const [addNics, setAddNics] = useState<NicDraft[]>([]);
  const [discardPending, setDiscardPending] = useState(false);
  const [tried, setTried] = useState(false);

  const changes = changesOf(vm, {
    name,
    vcpus,
    memoryMiB,
    cpuModel,
    autostart,
    bootOrder,
    removeDisks,
    addDisks,
    removeNics,
    addNics,
    discardPending,
  });
  const changed = Object.keys(changes).length > 0;
  const checked = VmUpdate.safeParse(changes);
  const errors = changed ? fieldErrors(checked) : {};
  const missingSize = addDisks.some((disk) => disk.sizeGiB === '');
  const valid = changed && checked.success && !missingSize;
  const { nextBoot } = planVmUpdate(changes, vm.state);
  const pending = pendingOf(vm);

  const save = useApiMutation(updateVm, {
    invalidates: [VM_LISTS_KEY],
    onSuccess: (answer) => {
      queryClient.setQueryData(vmQuery(vm.id).queryKey, answer.vm);
      onSaved(answer);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 412) void queryClient.invalidateQueries(vmQuery(vm.id));
    },
  });
  const submit = () => {
    setTried(true);
    if (valid && !save.isPending) save.mutate({ params: { vmId: vm.id }, body: changes, headers: ifMatch(vm.generation) });
  };
  const show = (field: string) => (tried || field in changes ? errors[field] : undefined);
  const toggle = (set: ReadonlySet<string>, id: string, on: boolean) => {
    const next = new Set(set);
    if (on) next.add(id);
    else next.delete(id);
    return next;
  };

  return (
    <Modal isOpen variant="medium" onClose={onClose} aria-labelledby="edit-vm-title">
      <ModalHeader title={`Edit ${vm.name}`} labelId="edit-vm-title" />
      <ModalBody>
        <Form
          id="edit-vm"
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          {save.isError && <Alert variant="danger" isInline title={`Not saved: ${save.error.message}`} />}
          {host.isError && (
            <Alert variant="warning" isInline isPlain title={`Cannot read the host’s pools and bridges: ${host.error.message}`} />
          )}
          {nextBoot.length > 0 && (
            <Alert variant="info" isInline title="The VM is running: some changes wait for its next start">
              <List>
                {nextBoot.map((field) => (
                  <ListItem key={field}>
                    {FIELD_LABEL[field]}: applies at the next start from shut off (not on reboot or reset)
                  </ListItem>
                ))}
              </List>
            </Alert>
          )}
          {errors[''] && <Alert variant="danger" isInline isPlain title={errors['']} />}
          <FormGroup label="Name" fieldId="edit-vm-name" isRequired>
            <TextInput
              id="edit-vm-name"
              value={name}
              validated={show('name') ? 'error' : 'default'}
              onChange={(_e, v) => setName(v)}
            />
            <Help error={show('name')} />
          </FormGroup>
          <FormGroup label="vCPUs" fieldId="edit-vm-vcpus" isRequired labelHelp={<NextBoot field="vcpus" nextBoot={nextBoot} />}>
            <TextInput
              id="edit-vm-vcpus"
              type="number"
              value={vcpus}
              validated={show('vcpus') ? 'error' : 'default'}
              onChange={(_e, v) => setVcpus(typedOf(v))}
            />
            <Help error={show('vcpus')} />
          </FormGroup>
          <FormGroup label="Memory (MiB)" fieldId="edit-vm-memory" isRequired>
            <TextInput
              id="edit-vm-memory"
              type="number"
              value={memoryMiB}
              validated={show('memoryMiB') ? 'error' : 'default'}
              onChange={(_e, v) => setMemoryMiB(typedOf(v))}
            />
            <Help
              error={show('memoryMiB')}
              help={typeof memoryMiB === 'number' && memoryMiB > 0 ? `= ${formatMiB(memoryMiB)}` : undefined}
            />
          </FormGroup>
          <FormGroup label="CPU model" fieldId="edit-vm-cpu" isRequired labelHelp={<NextBoot field="cpu" nextBoot={nextBoot} />}>
            <TextInput
              id="edit-vm-cpu"
              value={cpuModel}
              list="edit-vm-cpu-models"
              validated={show('cpu.model') ? 'error' : 'default'}
              onChange={(_e, v) => setCpuModel(v)}
            />
            <datalist id="edit-vm-cpu-models">
              {cpuModelChoices(host.data).map((model) => (
                <option key={model} value={model} />
              ))}
            </datalist>
            <Help error={show('cpu.model')} />
          </FormGroup>
          <Checkbox
            id="edit-vm-autostart"
            label="Start it when its host boots (autostart)"
            isChecked={autostart}
            onChange={(_e, on) => setAutostart(on)}
          />
          <BootOrderEditor value={bootOrder} onChange={setBootOrder} idPrefix="edit-vm" error={show('bootOrder')} />
          {nextBoot.includes('bootOrder') && <NextBoot field="bootOrder" nextBoot={nextBoot} />}
          <FormSection title="Disks" titleElement="h3">
            {vm.disks.map((disk) => (
              <Checkbox
                key={disk.id}
                id={`edit-vm-remove-disk-${disk.id}`}
                label={`Remove ${disk.id} (${disk.poolId})`}
                description={
                  vm.state === 'running' || vm.state === 'paused' ? 'Detached at the next start from shut off' : undefined
                }
                isChecked={removeDisks.has(disk.id)}
                onChange={(_e, on) => setRemoveDisks(toggle(removeDisks, disk.id, on))}
              />
            ))}
            <DisksEditor
              disks={addDisks}
              onChange={setAddDisks}
              host={host.data}
              errors={errorsUnder(tried ? errors : {}, 'addDisks')}
              idPrefix="edit-vm"
            />
            {tried && missingSize && <Help error="Give each new disk a size" />}
          </FormSection>
          <FormSection title="Network interfaces" titleElement="h3">
            {vm.nics.map((nic) => (
              <Checkbox
                key={nic.id}
                id={`edit-vm-remove-nic-${nic.id}`}
                label={`Remove ${nic.id} (${nic.networkId}, ${nic.mac})`}
                isChecked={removeNics.has(nic.id)}
                onChange={(_e, on) => setRemoveNics(toggle(removeNics, nic.id, on))}
              />
            ))}
            <NicsEditor
              nics={addNics}
              onChange={setAddNics}
              host={host.data}
              errors={errorsUnder(tried ? errors : {}, 'addNics')}
              idPrefix="edit-vm"
            />
          </FormSection>
          {pending.length > 0 && (
            <Checkbox
              id="edit-vm-discard"
              label="Drop the changes waiting for the next boot"
              description={pending.map((change) => `${change.field}: ${change.value}`).join('; ')}
              isChecked={discardPending}
              onChange={(_e, on) => setDiscardPending(on)}
            />
          )}
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button
          type="submit"
          form="edit-vm"
          isDisabled={!changed || save.isPending || (tried && !valid)}
          isLoading={save.isPending}
        >
          Save
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}

/** After a save: what applied at once and what waits for the next boot, as the api says. */
export function SavedChanges({ answer, onClose }: { answer: VmUpdated; onClose: () => void }) {
  const later = answer.appliesAtNextBoot;
  return (
    <Alert
      variant={later.length ? 'info' : 'success'}
      isInline
      title={later.length ? `Saved. Applies at next boot: ${fieldList(later)}` : 'Saved'}
      actionClose={<AlertActionCloseButton onClose={onClose} />}
    >
      {answer.appliedNow.length > 0 && <p>Applied now: {fieldList(answer.appliedNow)}.</p>}
      {later.length > 0 && <p>They take effect at the next start from shut off (not on reboot or reset).</p>}
    </Alert>
  );
}
