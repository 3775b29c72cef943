import { Progress } from '@patternfly/react-core';
import { formatPercent, NONE } from './format.js';

/** CPU or memory use as a small bar, warning colours near full. */
export function UsageBar({ percent, label, name }: { percent: number | undefined; label?: string; name: string }) {
  if (percent === undefined) return <>{NONE}</>;
  const text = label ?? formatPercent(percent);
  return (
    <Progress
      value={Math.min(percent, 100)}
      label={text}
      valueText={text}
      aria-label={name}
      size="sm"
      measureLocation="outside"
      variant={percent >= 90 ? 'danger' : percent >= 75 ? 'warning' : undefined}
      hideStatusIcon
    />
  );
}
