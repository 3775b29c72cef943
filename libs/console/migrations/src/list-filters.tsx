import { Label, TextInput } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { hostQuery, vmQuery } from '@cockpit/console-api';

// Filters of the migrations list. Host and VM come from links (a host's or a VM's page): shown as
// a chip to take off, by name.

export function HostChip({ hostId, onClear }: { hostId: string; onClear: () => void }) {
  const host = useQuery({ ...hostQuery(hostId), enabled: !!hostId });
  if (!hostId) return null;
  return (
    <Label onClose={onClear} closeBtnAriaLabel="Show every host’s migrations">
      Host: {host.data?.name ?? hostId}
    </Label>
  );
}

export function VmChip({ vmId, onClear }: { vmId: string; onClear: () => void }) {
  const vm = useQuery({ ...vmQuery(vmId), enabled: !!vmId });
  if (!vmId) return null;
  return (
    <Label onClose={onClear} closeBtnAriaLabel="Show every VM’s migrations">
      VM: {vm.data?.name ?? vmId}
    </Label>
  );
}

/** A day (YYYY-MM-DD), or '' for none. */
export function DateFilter({ label, value, onChange }: { label: string; value: string; onChange: (value: string) => void }) {
  return (
    <TextInput type="date" aria-label={label} value={value} onChange={(_e, next) => onChange(next)} style={{ width: '11em' }} />
  );
}
