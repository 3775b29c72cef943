import { ActionGroup, Button, Form, FormGroup, TextInput } from '@patternfly/react-core';
import { useMemo, useState } from 'react';
import { createGroup } from '@cockpit/contracts';
import { groupsPageQuery, useApiMutation } from '@cockpit/console-api';
import { PagedList, type ListColumn, type ListFilter, type ListRequest } from '@cockpit/console-ui';
import { namesById, useDirectory } from './directory-names.js';
import type { GroupRow } from './directory-types.js';
import { ErrorAlert } from './ErrorAlert.js';

const FILTERS: readonly ListFilter[] = [{ kind: 'text', name: 'name', label: 'Filter groups by name' }];
const groupsPage = ({ filters, sort, limit, cursor }: ListRequest) =>
  groupsPageQuery({ name: filters['name'], sort, limit, cursor });

export function GroupsTab() {
  const directory = useDirectory({ users: true });
  const create = useApiMutation(createGroup, { invalidates: [['groups']] });
  const [name, setName] = useState('');
  const usernames = useMemo(() => namesById(directory.users, (user) => user.username), [directory.users]);
  const columns = useMemo<ListColumn<GroupRow>[]>(
    () => [
      { title: 'Group', sortField: 'name', cell: (group) => group.name },
      { title: 'Members', cell: (group) => group.members.map((id) => usernames.get(id) ?? id).join(', ') || '—' },
    ],
    [usernames],
  );
  return (
    <>
      <Form
        isHorizontal
        onSubmit={(event) => (event.preventDefault(), create.mutate({ body: { name } }, { onSuccess: () => setName('') }))}
      >
        <ErrorAlert error={create.error} />
        <FormGroup label="Group name" fieldId="new-group">
          <TextInput id="new-group" value={name} onChange={(_e, v) => setName(v)} />
        </FormGroup>
        <ActionGroup>
          <Button type="submit" isDisabled={!name || create.isPending}>
            Create group
          </Button>
        </ActionGroup>
      </Form>
      <PagedList
        label="Groups"
        noun="groups"
        columns={columns}
        filters={FILTERS}
        defaultSort="name"
        query={groupsPage}
        rowKey={(group) => group.id}
        empty={{ title: 'No groups', body: 'Groups give their members the roles bound to the group.' }}
      />
    </>
  );
}
