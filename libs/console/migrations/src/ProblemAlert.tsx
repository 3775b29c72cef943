import { Alert, List, ListItem } from '@patternfly/react-core';
import { ApiError } from '@cockpit/console-api';

/** A refusal with each of its reasons (a 409's details: one per failing check), or its message alone. */
export function ProblemAlert({ title, error }: { title: string; error: Error }) {
  const details = error instanceof ApiError ? (error.body.details ?? []) : [];
  return (
    <Alert variant="danger" isInline title={details.length ? title : `${title}: ${error.message}`}>
      {details.length > 0 && (
        <List aria-label="Reasons">
          {details.map((detail, index) => (
            <ListItem key={`${detail.path}-${index}`}>{detail.message}</ListItem>
          ))}
        </List>
      )}
    </Alert>
  );
}
