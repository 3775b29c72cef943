import { Button } from '@patternfly/react-core';
import { useMemo } from 'react';
import { revokeSession } from '@cockpit/contracts';
import { sessionsPageQuery, useApiMutation } from '@cockpit/console-api';
import { PagedList, type ListColumn, type ListFilter, type ListRequest } from '@cockpit/console-ui';
import { useDirectory } from './directory-names.js';
import type { SessionRow } from './directory-types.js';
import { ErrorAlert } from './ErrorAlert.js';

const sessionsPage = ({ filters, sort, limit, cursor }: ListRequest) =>
  sessionsPageQuery({ userId: filters['userId'], sort, limit, cursor });

/** Every user's live sessions, most recently active first; an administrator can end any. */
export function SessionsTab() {
  const directory = useDirectory({ users: true });
  const revoke = useApiMutation(revokeSession, { invalidates: [['sessions']] });
  const { mutate } = revoke;
  const filters = useMemo<ListFilter[]>(
    () => [
      {
        kind: 'select',
        name: 'userId',
        label: 'Filter sessions by user',
        anyLabel: 'All users',
        options: directory.users.map((user) => ({ value: user.id, label: user.username })),
      },
    ],
    [directory.users],
  );
  const columns = useMemo<ListColumn<SessionRow>[]>(
    () => [
      { title: 'User', cell: (session) => session.username },
      { title: 'From', cell: (session) => session.sourceIp },
      { title: 'Last seen', sortField: 'lastSeenAt', cell: (session) => new Date(session.lastSeenAt).toLocaleString() },
      { title: 'Signed in', sortField: 'createdAt', cell: (session) => new Date(session.createdAt).toLocaleString() },
      { title: 'Expires', cell: (session) => new Date(session.expiresAt).toLocaleString() },
      {
        title: '',
        screenReaderTitle: 'Actions',
        cell: (session) => (
          <Button variant="link" isDanger onClick={() => mutate({ params: { sessionId: session.id } })}>
            End
          </Button>
        ),
      },
    ],
    [mutate],
  );
  return (
    <>
      <ErrorAlert error={revoke.error ?? directory.error} />
      <PagedList
        label="Sessions"
        noun="sessions"
        columns={columns}
        filters={filters}
        defaultSort="-lastSeenAt"
        query={sessionsPage}
        rowKey={(session) => session.id}
        empty={{ title: 'No live sessions' }}
      />
    </>
  );
}
