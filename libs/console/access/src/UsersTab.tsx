import { ActionGroup, Button, Form, FormGroup, Label, TextInput } from '@patternfly/react-core';
import { useMemo, useState } from 'react';
import { createUser, updateUser, type User } from '@cockpit/contracts';
import { useApiMutation, usersPageQuery } from '@cockpit/console-api';
import { PagedList, type ListColumn, type ListFilter, type ListRequest } from '@cockpit/console-ui';
import { ErrorAlert } from './ErrorAlert.js';

const USERS_CHANGED = [['users']];
const FILTERS: readonly ListFilter[] = [{ kind: 'text', name: 'name', label: 'Filter users by name' }];
const usersPage = ({ filters, sort, limit, cursor }: ListRequest) =>
  usersPageQuery({ name: filters['name'], sort, limit, cursor });

function NewUserForm() {
  const create = useApiMutation(createUser, { invalidates: USERS_CHANGED });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  return (
    <Form
      isHorizontal
      onSubmit={(event) => (
        event.preventDefault(),
        create.mutate({ body: { username, password } }, { onSuccess: () => (setUsername(''), setPassword('')) })
      )}
    >
      <ErrorAlert error={create.error} />
      <FormGroup label="Username" fieldId="new-username">
        <TextInput id="new-username" value={username} onChange={(_e, v) => setUsername(v)} />
      </FormGroup>
      <FormGroup label="Initial password" fieldId="new-user-password">
        <TextInput
          id="new-user-password"
          type="password"
          value={password}
          onChange={(_e, v) => setPassword(v)}
          autoComplete="new-password"
        />
      </FormGroup>
      <ActionGroup>
        <Button type="submit" isDisabled={!username || password.length < 12 || create.isPending}>
          Create user
        </Button>
      </ActionGroup>
    </Form>
  );
}

export function UsersTab() {
  const update = useApiMutation(updateUser, { invalidates: USERS_CHANGED });
  const { mutate } = update;
  const columns = useMemo<ListColumn<User>[]>(
    () => [
      { title: 'Username', sortField: 'username', cell: (user) => user.username },
      { title: 'Name', cell: (user) => user.displayName },
      {
        title: 'Status',
        cell: (user) => (user.disabled ? <Label color="red">disabled</Label> : <Label color="green">active</Label>),
      },
      { title: 'Created', sortField: 'createdAt', cell: (user) => new Date(user.createdAt).toLocaleDateString() },
      {
        title: '',
        screenReaderTitle: 'Actions',
        cell: (user) => (
          <Button variant="link" onClick={() => mutate({ params: { userId: user.id }, body: { disabled: !user.disabled } })}>
            {user.disabled ? 'Enable' : 'Disable'}
          </Button>
        ),
      },
    ],
    [mutate],
  );
  return (
    <>
      <NewUserForm />
      <ErrorAlert error={update.error} />
      <PagedList
        label="Users"
        noun="users"
        columns={columns}
        filters={FILTERS}
        defaultSort="username"
        query={usersPage}
        rowKey={(user) => user.id}
        empty={{ title: 'No users' }}
      />
    </>
  );
}
