import { Alert, Bullseye, EmptyState, EmptyStateBody, PageSection, Spinner } from '@patternfly/react-core';
import { Link } from 'react-router';

/** An api answer of 404 (console-api's ApiError carries the status). */
function isNotFound(error: Error): boolean {
  return 'status' in error && error.status === 404;
}

/** What a detail page shows before its object has loaded: a spinner, "not found" or the error. */
export function DetailStatus({
  what,
  error,
  backTo,
}: {
  what: string;
  error: Error | null;
  backTo: { path: string; label: string };
}) {
  if (!error) {
    return (
      <Bullseye>
        <Spinner size="xl" aria-label={`Loading ${what}`} />
      </Bullseye>
    );
  }
  if (isNotFound(error)) {
    return (
      <PageSection isFilled>
        <EmptyState titleText={`No such ${what}`} headingLevel="h1" status="warning">
          <EmptyStateBody>
            It may have been removed, or you may not view it. Back to <Link to={backTo.path}>{backTo.label}</Link>.
          </EmptyStateBody>
        </EmptyState>
      </PageSection>
    );
  }
  return (
    <PageSection isFilled>
      <Alert variant="danger" isInline title={`Cannot load this ${what}`}>
        {error.message}
      </Alert>
    </PageSection>
  );
}
