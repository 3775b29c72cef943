import { Label, Tooltip, type LabelProps } from '@patternfly/react-core';
import { useRef } from 'react';
import { useLiveConnection, type LiveStatus } from '@cockpit/console-api';

const BADGES: Record<LiveStatus, { color: LabelProps['color']; text: string; explanation: string }> = {
  connecting: { color: 'grey', text: 'Connecting…', explanation: 'Opening the live connection to Cockpit.' },
  live: { color: 'green', text: 'Live', explanation: 'Connected: pages update as changes happen.' },
  reconnecting: {
    color: 'orange',
    text: 'Reconnecting…',
    explanation: 'The live connection dropped. Reconnecting; what changed meanwhile will follow.',
  },
  offline: {
    color: 'red',
    text: 'Offline',
    explanation: 'No live connection: pages do not update by themselves. Still trying.',
  },
};

/** Masthead badge: is the console receiving live updates from the api? */
export function ApiStatus() {
  const { status, problem } = useLiveConnection();
  const badge = BADGES[status];
  const trigger = useRef<HTMLSpanElement>(null);
  return (
    <>
      {/* Focusable, so the explanation is there for keyboard users too. */}
      <span ref={trigger} tabIndex={0}>
        <Label color={badge.color}>{badge.text}</Label>
      </span>
      <Tooltip
        triggerRef={trigger}
        content={status === 'offline' && problem ? `${badge.explanation} (${problem})` : badge.explanation}
      />
    </>
  );
}
