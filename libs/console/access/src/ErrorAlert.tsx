import { Alert } from '@patternfly/react-core';

/** A failed action's reason, where the action is. */
export function ErrorAlert({ error }: { error: Error | null }) {
  return error ? <Alert variant="danger" isInline isPlain title={error.message} /> : null;
}
