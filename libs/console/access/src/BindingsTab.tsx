import { ActionGroup, Button, Form, FormGroup, FormSelect, FormSelectOption, TextInput } from '@patternfly/react-core';
import { useMemo, useState } from 'react';
import { createRoleBinding, deleteRoleBinding } from '@cockpit/contracts';
import { roleBindingsPageQuery, useApiMutation } from '@cockpit/console-api';
import { PagedList, type ListColumn, type ListFilter, type ListRequest } from '@cockpit/console-ui';
import { namesById, useDirectory } from './directory-names.js';
import type { RoleBindingRow } from './directory-types.js';
import { ErrorAlert } from './ErrorAlert.js';

const BINDINGS_CHANGED = [['role-bindings']];
const bindingsPage = ({ filters, sort, limit, cursor }: ListRequest) =>
  roleBindingsPageQuery({ roleId: filters['roleId'], subjectId: filters['subjectId'], sort, limit, cursor });

type Directory = ReturnType<typeof useDirectory>;

/** Users and groups, as the "who" of a binding: `user:<id>` → "user vera". */
function subjectsOf(directory: Pick<Directory, 'users' | 'groups'>) {
  return [
    ...directory.users.map((user) => ({ key: `user:${user.id}`, id: user.id, label: `user ${user.username}` })),
    ...directory.groups.map((group) => ({ key: `group:${group.id}`, id: group.id, label: `group ${group.name}` })),
  ];
}

function GrantForm({ directory }: { directory: Directory }) {
  const create = useApiMutation(createRoleBinding, { invalidates: BINDINGS_CHANGED });
  const [subject, setSubject] = useState('');
  const [roleId, setRoleId] = useState('');
  const [scope, setScope] = useState('/');
  return (
    <Form
      isHorizontal
      onSubmit={(event) => {
        event.preventDefault();
        const [subjectType, subjectId] = subject.split(':') as ['user' | 'group', string];
        create.mutate({ body: { subjectType, subjectId, roleId, scope } });
      }}
    >
      <ErrorAlert error={create.error ?? directory.error} />
      <FormGroup label="Who" fieldId="binding-subject">
        <FormSelect id="binding-subject" value={subject} onChange={(_e, v) => setSubject(v)}>
          <FormSelectOption value="" label="Choose a user or group" isPlaceholder />
          {subjectsOf(directory).map((s) => (
            <FormSelectOption key={s.key} value={s.key} label={s.label} />
          ))}
        </FormSelect>
      </FormGroup>
      <FormGroup label="Role" fieldId="binding-role">
        <FormSelect id="binding-role" value={roleId} onChange={(_e, v) => setRoleId(v)}>
          <FormSelectOption value="" label="Choose a role" isPlaceholder />
          {directory.roles.map((r) => (
            <FormSelectOption key={r.id} value={r.id} label={r.name} />
          ))}
        </FormSelect>
      </FormGroup>
      <FormGroup label="Scope" fieldId="binding-scope">
        <TextInput id="binding-scope" value={scope} onChange={(_e, v) => setScope(v)} />
      </FormGroup>
      <ActionGroup>
        <Button type="submit" isDisabled={!subject || !roleId || !scope || create.isPending}>
          Grant
        </Button>
      </ActionGroup>
    </Form>
  );
}

export function BindingsTab() {
  const directory = useDirectory({ users: true, groups: true, roles: true });
  const remove = useApiMutation(deleteRoleBinding, { invalidates: BINDINGS_CHANGED });
  const { mutate } = remove;
  const { users, groups } = directory;
  const subjects = useMemo(() => subjectsOf({ users, groups }), [users, groups]);
  const roleNames = useMemo(() => namesById(directory.roles, (role) => role.name), [directory.roles]);
  const filters = useMemo<ListFilter[]>(
    () => [
      {
        kind: 'select',
        name: 'subjectId',
        label: 'Filter role bindings by user or group',
        anyLabel: 'Anyone',
        options: subjects.map((s) => ({ value: s.id, label: s.label })),
      },
      {
        kind: 'select',
        name: 'roleId',
        label: 'Filter role bindings by role',
        anyLabel: 'Any role',
        options: directory.roles.map((role) => ({ value: role.id, label: role.name })),
      },
    ],
    [subjects, directory.roles],
  );
  const columns = useMemo<ListColumn<RoleBindingRow>[]>(() => {
    const label = new Map(subjects.map((s) => [s.key, s.label]));
    return [
      { title: 'Who', cell: (binding) => label.get(`${binding.subjectType}:${binding.subjectId}`) ?? binding.subjectId },
      { title: 'Role', cell: (binding) => roleNames.get(binding.roleId) ?? binding.roleId },
      { title: 'Scope', sortField: 'scope', cell: (binding) => <code>{binding.scope}</code> },
      { title: 'Granted', sortField: 'createdAt', cell: (binding) => new Date(binding.createdAt).toLocaleString() },
      {
        title: '',
        screenReaderTitle: 'Actions',
        cell: (binding) => (
          <Button variant="link" isDanger onClick={() => mutate({ params: { bindingId: binding.id } })}>
            Remove
          </Button>
        ),
      },
    ];
  }, [subjects, roleNames, mutate]);
  return (
    <>
      <GrantForm directory={directory} />
      <ErrorAlert error={remove.error} />
      <PagedList
        label="Role bindings"
        noun="role bindings"
        columns={columns}
        filters={filters}
        defaultSort="createdAt"
        query={bindingsPage}
        rowKey={(binding) => binding.id}
        empty={{ title: 'No role bindings', body: 'Nobody holds a role yet: grant one above.' }}
      />
    </>
  );
}
