import { Icon, Label, List, ListItem } from '@patternfly/react-core';
import { CheckCircleIcon, ExclamationCircleIcon, ExclamationTriangleIcon } from '@patternfly/react-icons';
import type { MigrationState, PreflightCheck } from '@cockpit/contracts';
import { CHECK_LABEL } from './format.js';

type LabelColor = 'green' | 'orange' | 'red' | 'grey' | 'blue' | 'purple';

const STATE_COLOR: Record<MigrationState, LabelColor> = {
  queued: 'grey',
  preflight: 'purple',
  running: 'blue',
  completing: 'blue',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'grey',
};

export function MigrationStateLabel({ state }: { state: MigrationState }) {
  return (
    <Label color={STATE_COLOR[state]} isCompact>
      {state}
    </Label>
  );
}

type Outcome = PreflightCheck['outcome'];

const VERDICT: Record<Outcome, { color: LabelColor; text: string }> = {
  pass: { color: 'green', text: 'can move' },
  warn: { color: 'orange', text: 'can move, with warnings' },
  fail: { color: 'red', text: 'refused' },
};

/** A pre-flight's verdict on a host: can move, with warnings, refused. */
export function VerdictLabel({ verdict }: { verdict: Outcome }) {
  return (
    <Label color={VERDICT[verdict].color} isCompact>
      {VERDICT[verdict].text}
    </Label>
  );
}

function OutcomeIcon({ outcome }: { outcome: Outcome }) {
  if (outcome === 'pass')
    return (
      <Icon status="success" isInline>
        <CheckCircleIcon title="passes" />
      </Icon>
    );
  if (outcome === 'warn')
    return (
      <Icon status="warning" isInline>
        <ExclamationTriangleIcon title="warns" />
      </Icon>
    );
  return (
    <Icon status="danger" isInline>
      <ExclamationCircleIcon title="fails" />
    </Icon>
  );
}

/** Pre-flight checks, each with its outcome and sentence ("CPU: sim-01's CPU lacks avx512f, …"). */
export function CheckList({ checks, label }: { checks: readonly PreflightCheck[]; label: string }) {
  return (
    <List isPlain aria-label={label}>
      {checks.map((check, index) => (
        <ListItem key={`${check.check}-${index}`} icon={<OutcomeIcon outcome={check.outcome} />}>
          <strong>{CHECK_LABEL[check.check]}:</strong> {check.message}
        </ListItem>
      ))}
    </List>
  );
}
