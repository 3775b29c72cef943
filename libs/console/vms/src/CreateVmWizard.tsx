import {
  Alert,
  Button,
  Checkbox,
  DescriptionList,
  Form,
  FormGroup,
  Label,
  List,
  ListItem,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  Radio,
  TextInput,
  Wizard,
  WizardHeader,
  WizardStep,
} from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { createVm, CreateVmBody, DEFAULT_BOOT_ORDER, type BootDevice, type RouteResponse } from '@cockpit/contracts';
import { hostQuery, useApiMutation, VM_LISTS_KEY } from '@cockpit/console-api';
import { fieldErrors, formatBytes, formatMiB, Term } from '@cockpit/console-ui';
import { HostFilter } from './HostFilter.js';
import {
  BootOrderEditor,
  cpuModelChoices,
  diskSpecs,
  DisksEditor,
  errorsUnder,
  Help,
  newDisk,
  newNic,
  nicSpecs,
  NicsEditor,
  numberOrUndefined,
  typedOf,
  type DiskDraft,
  type NicDraft,
  type Typed,
} from './vm-form.js';
import { formatBootOrder } from './vm-fields.js';

type Created = RouteResponse<typeof createVm>;

/** zod says "expected number, received undefined" of an empty field: say it is required. */
const readable = (errors: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(errors).map(([key, message]) => [key, /received undefined/.test(message) ? 'Required' : message]),
  );

const STEP_FIELDS = {
  place: ['name', 'hostId'],
  hardware: ['vcpus', 'memoryMiB', 'cpu'],
  disks: ['disks'],
  network: ['nics'],
  boot: ['bootOrder', 'autostart', 'start'],
} as const;
type StepName = keyof typeof STEP_FIELDS;

const hasErrorIn = (errors: Record<string, string>, step: StepName) =>
  Object.keys(errors).some((key) => STEP_FIELDS[step].some((field) => key === field || key.startsWith(`${field}.`)));

/** What Cockpit answered: where the VM went and why, and which hosts could not take it. */
function PlacementAnswer({ created, onClose }: { created: Created; onClose: () => void }) {
  const { vm, placement } = created;
  return (
    <Modal isOpen variant="medium" onClose={onClose} aria-labelledby="vm-created-title">
      <ModalHeader
        title={
          placement.chosen === 'placed'
            ? `Cockpit placed ${vm.name} on ${placement.hostName}`
            : `Created ${vm.name} on ${placement.hostName}`
        }
        titleIconVariant="success"
        labelId="vm-created-title"
      />
      <ModalBody>
        <p>
          <strong>Why this host:</strong> {placement.reason}
        </p>
        {placement.rejected.length > 0 && (
          <>
            <p style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}>
              <strong>Hosts that could not take it:</strong>
            </p>
            <List aria-label="Hosts that could not take it">
              {placement.rejected.map((host) => (
                <ListItem key={host.hostId}>
                  {host.hostName}: {host.reasons.join('; ')}
                </ListItem>
              ))}
            </List>
          </>
        )}
        <p style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}>
          It is <Label isCompact>{vm.state}</Label>.
        </p>
      </ModalBody>
      <ModalFooter>
        <Link to={`/vms/${vm.id}`} className="pf-v6-c-button pf-m-primary" onClick={onClose}>
          Open {vm.name}
        </Link>
        <Button variant="link" onClick={onClose}>
          Close
        </Button>
      </ModalFooter>
    </Modal>
  );
}

/**
 * Creates a VM step by step: name and where (a host, or let Cockpit place it), vCPUs, memory and
 * CPU model, disks (size and pool), NICs on bridges, boot order, autostart and whether to start it.
 * Every step is checked against the shared CreateVmBody schema as it is filled; the answer shows
 * where the VM went and why.
 */
export function CreateVmWizard({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [placed, setPlaced] = useState(true);
  const [hostId, setHostId] = useState('');
  const [vcpus, setVcpus] = useState<Typed>(2);
  const [memoryMiB, setMemoryMiB] = useState<Typed>(2048);
  const [cpuModel, setCpuModel] = useState('host-model');
  const [disks, setDisks] = useState<DiskDraft[]>([newDisk()]);
  const [nics, setNics] = useState<NicDraft[]>([newNic()]);
  const [bootOrder, setBootOrder] = useState<BootDevice[]>([...DEFAULT_BOOT_ORDER]);
  const [autostart, setAutostart] = useState(false);
  const [start, setStart] = useState(true);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const touch = (field: string) => setTouched((held) => new Set([...held, field]));
  const [created, setCreated] = useState<Created | null>(null);

  const host = useQuery({ ...hostQuery(hostId), enabled: !placed && !!hostId });
  const chosenHost = !placed && hostId ? host.data : undefined;
  const body: CreateVmBody = {
    name: name.trim(),
    vcpus: numberOrUndefined(vcpus) as number,
    memoryMiB: numberOrUndefined(memoryMiB) as number,
    cpu: { model: cpuModel.trim(), features: [] },
    disks: diskSpecs(disks),
    nics: nicSpecs(nics),
    bootOrder,
    autostart,
    start,
    ...(!placed && hostId ? { hostId } : {}),
  };
  const errors = readable(fieldErrors(CreateVmBody.safeParse(body)));
  disks.forEach((disk, index) => {
    if (disk.sizeGiB === '') errors[`disks.${index}.sizeBytes`] ??= 'Required';
  });
  if (!placed && !hostId) errors['hostId'] = 'Choose a host, or let Cockpit place it';
  const shown = (field: string) => (touched.has(field) ? errors[field] : undefined);
  const create = useApiMutation(createVm, { invalidates: [VM_LISTS_KEY], onSuccess: setCreated });

  if (created) return <PlacementAnswer created={created} onClose={onClose} />;

  const stepFooter = (step: StepName) => ({ isNextDisabled: hasErrorIn(errors, step) });
  const valid = Object.keys(errors).length === 0;
  return (
    // The wizard's header has the close button; the modal only closes on Escape.
    <Modal isOpen variant="large" onEscapePress={onClose} aria-labelledby="create-vm-title">
      <Wizard
        header={<WizardHeader title="Create a VM" titleId="create-vm-title" onClose={onClose} closeButtonAriaLabel="Close" />}
        onClose={onClose}
        onSave={() => {
          if (valid && !create.isPending) create.mutate({ body });
        }}
        height={560}
      >
        <WizardStep name="Name and place" id="create-vm-place" footer={stepFooter('place')}>
          <Form onSubmit={(event) => event.preventDefault()}>
            <FormGroup label="Name" fieldId="create-vm-name" isRequired>
              <TextInput
                id="create-vm-name"
                value={name}
                validated={shown('name') ? 'error' : 'default'}
                onChange={(_e, v) => (setName(v), touch('name'))}
              />
              <Help error={shown('name')} help="Unique on its host: letters, digits, “.”, “_” or “-”." />
            </FormGroup>
            <FormGroup label="Where" fieldId="create-vm-where" role="radiogroup" isStack>
              <Radio
                id="create-vm-placed"
                name="create-vm-where"
                label="Let Cockpit place it"
                description="On a connected host with the memory, pools, bridges and CPU features it needs; the answer says which and why."
                isChecked={placed}
                onChange={() => setPlaced(true)}
              />
              <Radio
                id="create-vm-on-host"
                name="create-vm-where"
                label="On a host I choose"
                isChecked={!placed}
                onChange={() => setPlaced(false)}
              />
              {!placed && (
                <>
                  <HostFilter value={hostId} label="Host of the new VM" onChange={(id) => (setHostId(id), touch('hostId'))} />
                  <Help error={errors['hostId']} />
                  {host.isError && (
                    <Alert variant="warning" isInline isPlain title={`Cannot read the host: ${host.error.message}`} />
                  )}
                </>
              )}
            </FormGroup>
          </Form>
        </WizardStep>
        <WizardStep name="Hardware" id="create-vm-hardware" footer={stepFooter('hardware')}>
          <Form onSubmit={(event) => event.preventDefault()}>
            <FormGroup label="vCPUs" fieldId="create-vm-vcpus" isRequired>
              <TextInput
                id="create-vm-vcpus"
                type="number"
                value={vcpus}
                validated={errors['vcpus'] ? 'error' : 'default'}
                onChange={(_e, v) => setVcpus(typedOf(v))}
              />
              <Help error={errors['vcpus']} />
            </FormGroup>
            <FormGroup label="Memory (MiB)" fieldId="create-vm-memory" isRequired>
              <TextInput
                id="create-vm-memory"
                type="number"
                value={memoryMiB}
                validated={errors['memoryMiB'] ? 'error' : 'default'}
                onChange={(_e, v) => setMemoryMiB(typedOf(v))}
              />
              <Help
                error={errors['memoryMiB']}
                help={typeof memoryMiB === 'number' && memoryMiB > 0 ? `= ${formatMiB(memoryMiB)}` : undefined}
              />
            </FormGroup>
            <FormGroup label="CPU model" fieldId="create-vm-cpu" isRequired>
              <TextInput
                id="create-vm-cpu"
                value={cpuModel}
                list="create-vm-cpu-models"
                validated={errors['cpu.model'] ? 'error' : 'default'}
                onChange={(_e, v) => setCpuModel(v)}
              />
              <datalist id="create-vm-cpu-models">
                {cpuModelChoices(chosenHost).map((model) => (
                  <option key={model} value={model} />
                ))}
              </datalist>
              <Help error={errors['cpu.model']} help="host-model follows the host’s CPU; a named model keeps the VM movable." />
            </FormGroup>
          </Form>
        </WizardStep>
        <WizardStep name="Disks" id="create-vm-disks" footer={stepFooter('disks')}>
          <Form onSubmit={(event) => event.preventDefault()}>
            {!chosenHost && <p>Name the pool of each disk: Cockpit places the VM on a host that has it, with room.</p>}
            <DisksEditor
              disks={disks}
              onChange={setDisks}
              host={chosenHost}
              errors={errorsUnder(errors, 'disks')}
              idPrefix="create-vm"
            />
          </Form>
        </WizardStep>
        <WizardStep name="Network" id="create-vm-network" footer={stepFooter('network')}>
          <Form onSubmit={(event) => event.preventDefault()}>
            {!chosenHost && <p>Name the bridge of each interface: Cockpit places the VM on a host that has it.</p>}
            <NicsEditor
              nics={nics}
              onChange={setNics}
              host={chosenHost}
              errors={errorsUnder(errors, 'nics')}
              idPrefix="create-vm"
            />
          </Form>
        </WizardStep>
        <WizardStep name="Boot" id="create-vm-boot" footer={stepFooter('boot')}>
          <Form onSubmit={(event) => event.preventDefault()}>
            <BootOrderEditor value={bootOrder} onChange={setBootOrder} idPrefix="create-vm" error={errors['bootOrder']} />
            <Checkbox
              id="create-vm-autostart"
              label="Start it when its host boots (autostart)"
              isChecked={autostart}
              onChange={(_e, on) => setAutostart(on)}
            />
            <Checkbox id="create-vm-start" label="Start it once created" isChecked={start} onChange={(_e, on) => setStart(on)} />
          </Form>
        </WizardStep>
        <WizardStep
          name="Review"
          id="create-vm-review"
          footer={{ nextButtonText: 'Create', isNextDisabled: !valid || create.isPending }}
        >
          {create.isError && <Alert variant="danger" isInline title={`Not created: ${create.error.message}`} />}
          {!valid && (
            <Alert variant="warning" isInline title="Some steps need a look">
              <List>
                {Object.entries(errors).map(([field, message]) => (
                  <ListItem key={field}>
                    {field}: {message}
                  </ListItem>
                ))}
              </List>
            </Alert>
          )}
          <DescriptionList isHorizontal isCompact aria-label="The new VM">
            <Term term="Name">{body.name || '—'}</Term>
            <Term term="Where">{placed ? 'Cockpit places it' : (host.data?.name ?? hostId)}</Term>
            <Term term="vCPUs">{vcpus}</Term>
            <Term term="Memory">{typeof memoryMiB === 'number' ? formatMiB(memoryMiB) : '—'}</Term>
            <Term term="CPU model">{body.cpu?.model}</Term>
            <Term term="Disks">
              {disks.length
                ? disks
                    .map(
                      (disk) =>
                        `${disk.sizeGiB === '' ? '?' : formatBytes(Number(disk.sizeGiB) * 1024 ** 3)} on ${disk.poolId || '?'}`,
                    )
                    .join(', ')
                : 'none'}
            </Term>
            <Term term="Network">
              {nics.length ? nics.map((nic) => `${nic.model} on ${nic.networkId || '?'}`).join(', ') : 'none'}
            </Term>
            <Term term="Boot order">{formatBootOrder(bootOrder)}</Term>
            <Term term="Autostart">{autostart ? 'yes' : 'no'}</Term>
            <Term term="Start now">{start ? 'yes' : 'no'}</Term>
          </DescriptionList>
        </WizardStep>
      </Wizard>
    </Modal>
  );
}
