import {
  Button,
  Checkbox,
  Flex,
  FlexItem,
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  HelperText,
  HelperTextItem,
  TextInput,
} from '@patternfly/react-core';
import { ArrowDownIcon, ArrowUpIcon, MinusCircleIcon, PlusCircleIcon } from '@patternfly/react-icons';
import { BootDevice, type HostDetail } from '@cockpit/contracts';
import { formatBytes } from '@cockpit/console-ui';
import { BOOT_DEVICE_LABEL, gibToBytes } from './vm-fields.js';

/** A field's error under it, or its help. */
export function Help({ error, help }: { error?: string; help?: string }) {
  if (!error && !help) return null;
  return (
    <FormHelperText>
      <HelperText>
        <HelperTextItem variant={error ? 'error' : 'default'}>{error ?? help}</HelperTextItem>
      </HelperText>
    </FormHelperText>
  );
}

/** A number typed in a field: '' while cleared, NaN when not a number (the schema says what is wrong). */
export type Typed = number | '';
export const typedOf = (text: string): Typed => (text.trim() === '' ? '' : Number(text));
/** What the schema is given for a typed number: undefined when empty, so it says "required". */
export const numberOrUndefined = (value: Typed) => (value === '' ? undefined : value);

/** A new disk as the form holds it: size in GiB. */
export interface DiskDraft {
  key: number;
  poolId: string;
  sizeGiB: Typed;
  format: 'qcow2' | 'raw';
  bus: 'virtio' | 'scsi' | 'sata';
}

/** A new network interface as the form holds it. */
export interface NicDraft {
  key: number;
  networkId: string;
  model: 'virtio' | 'e1000';
}

let drafts = 0;
export const newDisk = (poolId = ''): DiskDraft => ({ key: ++drafts, poolId, sizeGiB: 20, format: 'qcow2', bus: 'virtio' });
export const newNic = (networkId = ''): NicDraft => ({ key: ++drafts, networkId, model: 'virtio' });

/** The disks as the schema takes them (VmDiskSpec). */
export const diskSpecs = (disks: readonly DiskDraft[]) =>
  disks.map((disk) => ({
    poolId: disk.poolId.trim(),
    sizeBytes: disk.sizeGiB === '' ? undefined : gibToBytes(disk.sizeGiB),
    format: disk.format,
    bus: disk.bus,
  }));
export const nicSpecs = (nics: readonly NicDraft[]) => nics.map((nic) => ({ networkId: nic.networkId.trim(), model: nic.model }));

/** A pool or bridge: picked from the host's when the host is known, typed otherwise (Cockpit places the VM on a host that has it). */
function HostThing({
  id,
  label,
  value,
  choices,
  error,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  choices: { id: string; label: string }[] | undefined;
  error?: string;
  onChange: (value: string) => void;
}) {
  if (choices) {
    return (
      <FormSelect
        id={id}
        aria-label={label}
        value={value}
        validated={error ? 'error' : 'default'}
        onChange={(_e, next) => onChange(next)}
      >
        <FormSelectOption value="" label="Choose…" isPlaceholder />
        {choices.map((choice) => (
          <FormSelectOption key={choice.id} value={choice.id} label={choice.label} />
        ))}
      </FormSelect>
    );
  }
  return (
    <TextInput
      id={id}
      aria-label={label}
      value={value}
      validated={error ? 'error' : 'default'}
      onChange={(_e, next) => onChange(next)}
    />
  );
}

/** New disks: pool, size in GiB, format and bus, each removable; `errors` by `<index>.<field>` of the schema. */
export function DisksEditor({
  disks,
  onChange,
  host,
  errors,
  idPrefix,
}: {
  disks: readonly DiskDraft[];
  onChange: (disks: DiskDraft[]) => void;
  /** The host the VM is (or goes) on; undefined when Cockpit places it. */
  host: HostDetail | undefined;
  errors: Record<string, string>;
  idPrefix: string;
}) {
  const pools = host?.pools.map((pool) => ({
    id: pool.id,
    label: `${pool.id} (${pool.type}, ${formatBytes(pool.freeBytes)} free)`,
  }));
  const update = (index: number, change: Partial<DiskDraft>) =>
    onChange(disks.map((disk, i) => (i === index ? { ...disk, ...change } : disk)));
  return (
    <>
      {disks.map((disk, index) => {
        const id = `${idPrefix}-disk-${disk.key}`;
        const error = (field: string) => errors[`${index}.${field}`];
        return (
          <Flex key={disk.key} alignItems={{ default: 'alignItemsFlexStart' }} role="group" aria-label={`New disk ${index + 1}`}>
            <FlexItem>
              <FormGroup label="Pool" fieldId={`${id}-pool`} isRequired>
                <HostThing
                  id={`${id}-pool`}
                  label={`Pool of new disk ${index + 1}`}
                  value={disk.poolId}
                  choices={pools}
                  error={error('poolId')}
                  onChange={(poolId) => update(index, { poolId })}
                />
                <Help error={error('poolId')} />
              </FormGroup>
            </FlexItem>
            <FlexItem>
              <FormGroup label="Size (GiB)" fieldId={`${id}-size`} isRequired>
                <TextInput
                  id={`${id}-size`}
                  aria-label={`Size of new disk ${index + 1} in GiB`}
                  type="number"
                  min={1}
                  value={disk.sizeGiB}
                  validated={error('sizeBytes') ? 'error' : 'default'}
                  onChange={(_e, text) => update(index, { sizeGiB: typedOf(text) })}
                />
                <Help error={error('sizeBytes')} />
              </FormGroup>
            </FlexItem>
            <FlexItem>
              <FormGroup label="Format" fieldId={`${id}-format`}>
                <FormSelect
                  id={`${id}-format`}
                  aria-label={`Format of new disk ${index + 1}`}
                  value={disk.format}
                  onChange={(_e, format) => update(index, { format: format as DiskDraft['format'] })}
                >
                  <FormSelectOption value="qcow2" label="qcow2" />
                  <FormSelectOption value="raw" label="raw" />
                </FormSelect>
              </FormGroup>
            </FlexItem>
            <FlexItem>
              <FormGroup label="Bus" fieldId={`${id}-bus`}>
                <FormSelect
                  id={`${id}-bus`}
                  aria-label={`Bus of new disk ${index + 1}`}
                  value={disk.bus}
                  onChange={(_e, bus) => update(index, { bus: bus as DiskDraft['bus'] })}
                >
                  <FormSelectOption value="virtio" label="virtio" />
                  <FormSelectOption value="scsi" label="scsi" />
                  <FormSelectOption value="sata" label="sata" />
                </FormSelect>
              </FormGroup>
            </FlexItem>
            <FlexItem alignSelf={{ default: 'alignSelfCenter' }}>
              <Button
                variant="plain"
                aria-label={`Remove new disk ${index + 1}`}
                icon={<MinusCircleIcon />}
                onClick={() => onChange(disks.filter((_, i) => i !== index))}
              />
            </FlexItem>
          </Flex>
        );
      })}
      <Button variant="link" icon={<PlusCircleIcon />} onClick={() => onChange([...disks, newDisk(host?.pools[0]?.id)])}>
        Add a disk
      </Button>
    </>
  );
}

/** New network interfaces: the bridge and the model, each removable. */
export function NicsEditor({
  nics,
  onChange,
  host,
  errors,
  idPrefix,
}: {
  nics: readonly NicDraft[];
  onChange: (nics: NicDraft[]) => void;
  host: HostDetail | undefined;
  errors: Record<string, string>;
  idPrefix: string;
}) {
  const bridges = host?.networks.map((network) => ({
    id: network.id,
    label: `${network.id}${network.vlan === null ? '' : ` (VLAN ${network.vlan})`}`,
  }));
  const update = (index: number, change: Partial<NicDraft>) =>
    onChange(nics.map((nic, i) => (i === index ? { ...nic, ...change } : nic)));
  return (
    <>
      {nics.map((nic, index) => {
        const id = `${idPrefix}-nic-${nic.key}`;
        const error = errors[`${index}.networkId`];
        return (
          <Flex
            key={nic.key}
            alignItems={{ default: 'alignItemsFlexStart' }}
            role="group"
            aria-label={`New network interface ${index + 1}`}
          >
            <FlexItem>
              <FormGroup label="Bridge" fieldId={`${id}-bridge`} isRequired>
                <HostThing
                  id={`${id}-bridge`}
                  label={`Bridge of new network interface ${index + 1}`}
                  value={nic.networkId}
                  choices={bridges}
                  error={error}
                  onChange={(networkId) => update(index, { networkId })}
                />
                <Help error={error} />
              </FormGroup>
            </FlexItem>
            <FlexItem>
              <FormGroup label="Model" fieldId={`${id}-model`}>
                <FormSelect
                  id={`${id}-model`}
                  aria-label={`Model of new network interface ${index + 1}`}
                  value={nic.model}
                  onChange={(_e, model) => update(index, { model: model as NicDraft['model'] })}
                >
                  <FormSelectOption value="virtio" label="virtio" />
                  <FormSelectOption value="e1000" label="e1000" />
                </FormSelect>
              </FormGroup>
            </FlexItem>
            <FlexItem alignSelf={{ default: 'alignSelfCenter' }}>
              <Button
                variant="plain"
                aria-label={`Remove new network interface ${index + 1}`}
                icon={<MinusCircleIcon />}
                onClick={() => onChange(nics.filter((_, i) => i !== index))}
              />
            </FlexItem>
          </Flex>
        );
      })}
      <Button variant="link" icon={<PlusCircleIcon />} onClick={() => onChange([...nics, newNic(host?.networks[0]?.id)])}>
        Add a network interface
      </Button>
    </>
  );
}

/** The firmware's boot order: which devices, first tried first (at least one). */
export function BootOrderEditor({
  value,
  onChange,
  idPrefix,
  error,
}: {
  value: readonly BootDevice[];
  onChange: (order: BootDevice[]) => void;
  idPrefix: string;
  error?: string;
}) {
  const rest = BootDevice.options.filter((device) => !value.includes(device));
  const move = (index: number, by: -1 | 1) => {
    const next = [...value];
    const [device] = next.splice(index, 1);
    if (device) next.splice(index + by, 0, device);
    onChange(next);
  };
  return (
    <FormGroup label="Boot order" fieldId={`${idPrefix}-boot`} role="group" isStack>
      <ol aria-label="Boot order" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {[...value, ...rest].map((device) => {
          const index = value.indexOf(device);
          const used = index >= 0;
          return (
            <li key={device}>
              <Flex alignItems={{ default: 'alignItemsCenter' }} spaceItems={{ default: 'spaceItemsSm' }}>
                <FlexItem style={{ minWidth: '12em' }}>
                  <Checkbox
                    id={`${idPrefix}-boot-${device}`}
                    label={used ? `${index + 1}. ${BOOT_DEVICE_LABEL[device]}` : BOOT_DEVICE_LABEL[device]}
                    aria-label={`Boot from ${BOOT_DEVICE_LABEL[device]}`}
                    isChecked={used}
                    onChange={(_e, on) => onChange(on ? [...value, device] : value.filter((d) => d !== device))}
                  />
                </FlexItem>
                {used && (
                  <>
                    <Button
                      variant="plain"
                      size="sm"
                      aria-label={`Try ${BOOT_DEVICE_LABEL[device]} earlier`}
                      icon={<ArrowUpIcon />}
                      isDisabled={index === 0}
                      onClick={() => move(index, -1)}
                    />
                    <Button
                      variant="plain"
                      size="sm"
                      aria-label={`Try ${BOOT_DEVICE_LABEL[device]} later`}
                      icon={<ArrowDownIcon />}
                      isDisabled={index === value.length - 1}
                      onClick={() => move(index, 1)}
                    />
                  </>
                )}
              </Flex>
            </li>
          );
        })}
      </ol>
      <Help error={error} help="Devices the firmware tries, first tried first." />
    </FormGroup>
  );
}

/** The CPU models offered by name (any other may be typed): the host's own when known. */
export function cpuModelChoices(host: HostDetail | undefined): string[] {
  return [...new Set(['host-model', 'host-passthrough', ...(host?.hardware ? [host.hardware.cpu.model] : [])])];
}

/** Sub-errors of one array field (`disks.0.poolId` → `0.poolId`). */
export function errorsUnder(errors: Record<string, string>, field: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errors)
      .filter(([key]) => key.startsWith(`${field}.`))
      .map(([key, message]) => [key.slice(field.length + 1), message]),
  );
}
