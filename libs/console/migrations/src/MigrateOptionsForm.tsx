import { Checkbox, FormGroup, FormHelperText, HelperText, HelperTextItem, Radio, TextInput } from '@patternfly/react-core';
import { MIGRATION_DEFAULTS, MigrateOptions } from '@cockpit/contracts';
import { fieldErrors } from '@cockpit/console-ui';

/** The wizard's options as its fields hold them: numbers as typed ('' for the default). */
export interface OptionsDraft {
  live: boolean;
  persistent: boolean;
  undefineSource: boolean;
  autoConverge: boolean;
  /** '' is no limit. */
  maxBandwidthMBps: string;
  downtimeLimitMs: string;
  copyStorage: 'auto' | 'on' | 'off';
}

export const DEFAULT_OPTIONS: OptionsDraft = {
  live: MIGRATION_DEFAULTS.live,
  persistent: MIGRATION_DEFAULTS.persistent,
  undefineSource: MIGRATION_DEFAULTS.undefineSource,
  autoConverge: MIGRATION_DEFAULTS.autoConverge,
  maxBandwidthMBps: MIGRATION_DEFAULTS.maxBandwidthMBps ?? '',
  downtimeLimitMs: String(MIGRATION_DEFAULTS.downtimeLimitMs),
  copyStorage: 'auto',
};

const numberOf = (text: string) => (text.trim() === '' ? null : Number(text));

/**
 * The options to send: only those that differ from the defaults (the api fills in the rest, and
 * its pre-flight answers them all resolved), with each field's problem if any.
 */
export function optionsOf(draft: OptionsDraft): { options: MigrateOptions; errors: Record<string, string> } {
  const options: MigrateOptions = {};
  for (const key of ['live', 'persistent', 'undefineSource', 'autoConverge'] as const) {
    if (draft[key] !== MIGRATION_DEFAULTS[key]) options[key] = draft[key];
  }
  const bandwidth = numberOf(draft.maxBandwidthMBps);
  if (bandwidth !== MIGRATION_DEFAULTS.maxBandwidthMBps) options.maxBandwidthMBps = bandwidth;
  const downtime = numberOf(draft.downtimeLimitMs) ?? MIGRATION_DEFAULTS.downtimeLimitMs;
  if (downtime !== MIGRATION_DEFAULTS.downtimeLimitMs) options.downtimeLimitMs = downtime;
  if (draft.copyStorage !== 'auto') options.copyStorage = draft.copyStorage === 'on';
  return { options, errors: fieldErrors(MigrateOptions.safeParse(options)) };
}

function Help({ error, help }: { error?: string; help: string }) {
  return (
    <FormHelperText>
      <HelperText>
        <HelperTextItem variant={error ? 'error' : 'default'}>{error ?? help}</HelperTextItem>
      </HelperText>
    </FormHelperText>
  );
}

const onOff = (value: boolean) => (value ? 'on' : 'off');

/** Every option of a migration, each saying its default. */
export function MigrateOptionsForm({
  draft,
  onChange,
  stopped,
  errors,
}: {
  draft: OptionsDraft;
  onChange: (next: OptionsDraft) => void;
  /** A stopped VM always moves offline: "live" does not apply. */
  stopped: boolean;
  errors: Record<string, string>;
}) {
  const set = <K extends keyof OptionsDraft>(key: K, value: OptionsDraft[K]) => onChange({ ...draft, [key]: value });
  const flag = (key: 'live' | 'persistent' | 'undefineSource' | 'autoConverge', label: string, means: string) => (
    <Checkbox
      id={`migrate-${key}`}
      label={label}
      description={`${means} Default: ${onOff(MIGRATION_DEFAULTS[key])}.`}
      isChecked={key === 'live' && stopped ? false : draft[key]}
      isDisabled={key === 'live' && stopped}
      onChange={(_e, on) => set(key, on)}
    />
  );
  return (
    <>
      <FormGroup label="How it moves" fieldId="migrate-how" role="group" isStack>
        {flag(
          'live',
          'Live',
          stopped
            ? 'The VM is stopped: it moves offline.'
            : 'The guest keeps running while its memory moves; off, it is paused for the whole copy.',
        )}
        {flag('persistent', 'Persistent', 'Define the VM on the target host.')}
        {flag('undefineSource', 'Undefine the source', 'Remove its definition from the source host afterwards.')}
        {flag('autoConverge', 'Auto-converge', 'Throttle the guest’s CPU when it dirties memory faster than the memory moves.')}
      </FormGroup>
      <FormGroup label="Bandwidth limit (MiB/s)" fieldId="migrate-bandwidth">
        <TextInput
          id="migrate-bandwidth"
          type="number"
          value={draft.maxBandwidthMBps}
          placeholder="unlimited"
          validated={errors['maxBandwidthMBps'] ? 'error' : 'default'}
          onChange={(_e, value) => set('maxBandwidthMBps', value)}
        />
        <Help
          error={errors['maxBandwidthMBps']}
          help="Empty: as fast as the link goes (the default). It can change while it runs."
        />
      </FormGroup>
      <FormGroup label="Downtime limit (ms)" fieldId="migrate-downtime">
        <TextInput
          id="migrate-downtime"
          type="number"
          value={draft.downtimeLimitMs}
          validated={errors['downtimeLimitMs'] ? 'error' : 'default'}
          onChange={(_e, value) => set('downtimeLimitMs', value)}
        />
        <Help
          error={errors['downtimeLimitMs']}
          help={`The pause the switch-over may take. Default: ${MIGRATION_DEFAULTS.downtimeLimitMs} ms.`}
        />
      </FormGroup>
      <FormGroup label="Copy storage" fieldId="migrate-copy-auto" role="radiogroup" isStack>
        <Radio
          id="migrate-copy-auto"
          name="migrate-copy"
          label="As the pools need (default)"
          description="Disks on a pool the target does not share are copied block by block (shared-nothing)."
          isChecked={draft.copyStorage === 'auto'}
          onChange={() => set('copyStorage', 'auto')}
        />
        <Radio
          id="migrate-copy-on"
          name="migrate-copy"
          label="Copy the disks"
          isChecked={draft.copyStorage === 'on'}
          onChange={() => set('copyStorage', 'on')}
        />
        <Radio
          id="migrate-copy-off"
          name="migrate-copy"
          label="Do not copy the disks"
          description="Only shared storage: a disk on a pool the target does not mount refuses the move."
          isChecked={draft.copyStorage === 'off'}
          onChange={() => set('copyStorage', 'off')}
        />
      </FormGroup>
    </>
  );
}
