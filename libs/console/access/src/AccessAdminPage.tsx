import {
  ActionGroup,
  Alert,
  Button,
  Checkbox,
  Content,
  Form,
  FormGroup,
  FormSelect,
  FormSelectOption,
  Label,
  PageSection,
  Tab,
  Tabs,
  TabTitleText,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import {
  createGroup,
  createRole,
  createRoleBinding,
  createUser,
  deleteRoleBinding,
  PERMISSIONS,
  revokeSession,
  updateUser,
  type Permission,
} from '@cockpit/contracts';
import { groupsQuery, roleBindingsQuery, rolesQuery, sessionsQuery, usersQuery } from '@cockpit/console-api';
import { useApiMutation } from './mutation.js';
import { RequirePermission } from './session.js';

function ErrorAlert({ error }: { error: Error | null }) {
  return error ? <Alert variant="danger" isInline isPlain title={error.message} /> : null;
}

function UsersTab() {
  const users = useQuery(usersQuery());
  const create = useApiMutation(createUser, [['users']]);
  const update = useApiMutation(updateUser, [['users']]);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  return (
    <>
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
          <Button type="submit" isDisabled={!username || password.length < 12}>
            Create user
          </Button>
        </ActionGroup>
      </Form>
      <ErrorAlert error={update.error} />
      <Table aria-label="Users" variant="compact">
        <Thead>
          <Tr>
            <Th>Username</Th>
            <Th>Name</Th>
            <Th>Status</Th>
            <Th screenReaderText="Actions" />
          </Tr>
        </Thead>
        <Tbody>
          {(users.data ?? []).map((user) => (
            <Tr key={user.id}>
              <Td dataLabel="Username">{user.username}</Td>
              <Td dataLabel="Name">{user.displayName}</Td>
              <Td dataLabel="Status">
                {user.disabled ? <Label color="red">disabled</Label> : <Label color="green">active</Label>}
              </Td>
              <Td>
                <Button
                  variant="link"
                  onClick={() => update.mutate({ params: { userId: user.id }, body: { disabled: !user.disabled } })}
                >
                  {user.disabled ? 'Enable' : 'Disable'}
                </Button>
              </Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    </>
  );
}

function GroupsTab() {
  const groups = useQuery(groupsQuery());
  const users = useQuery(usersQuery());
  const create = useApiMutation(createGroup, [['groups']]);
  const [name, setName] = useState('');
  const names = new Map((users.data ?? []).map((u) => [u.id, u.username]));
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
          <Button type="submit" isDisabled={!name}>
            Create group
          </Button>
        </ActionGroup>
      </Form>
      <Table aria-label="Groups" variant="compact">
        <Thead>
          <Tr>
            <Th>Group</Th>
            <Th>Members</Th>
          </Tr>
        </Thead>
        <Tbody>
          {(groups.data ?? []).map((group) => (
            <Tr key={group.id}>
              <Td>{group.name}</Td>
              <Td>{group.members.map((id) => names.get(id) ?? id).join(', ') || '—'}</Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    </>
  );
}

function RolesTab() {
  const roles = useQuery(rolesQuery());
  const create = useApiMutation(createRole, [['roles']]);
  const [name, setName] = useState('');
  const [permissions, setPermissions] = useState<Permission[]>([]);
  const [requireTotp, setRequireTotp] = useState(false);
  return (
    <>
      <Form
        onSubmit={(event) => (
          event.preventDefault(),
          create.mutate(
            { body: { name, permissions, requireTotp } },
            { onSuccess: () => (setName(''), setPermissions([]), setRequireTotp(false)) },
          )
        )}
      >
        <ErrorAlert error={create.error} />
        <FormGroup label="New role name" fieldId="new-role">
          <TextInput id="new-role" value={name} onChange={(_e, v) => setName(v)} />
        </FormGroup>
        <FormGroup label="Permissions" fieldId="new-role-permissions" role="group">
          <div>
            {PERMISSIONS.map((permission) => (
              <Label
                key={permission}
                color={permissions.includes(permission) ? 'blue' : 'grey'}
                onClick={() =>
                  setPermissions((held) =>
                    held.includes(permission) ? held.filter((p) => p !== permission) : [...held, permission],
                  )
                }
                style={{ margin: 2 }}
              >
                {permission}
              </Label>
            ))}
          </div>
        </FormGroup>
        <ActionGroup>
          <Checkbox
            id="new-role-totp"
            label="Its users must use two-factor authentication"
            isChecked={requireTotp}
            onChange={(_e, v) => setRequireTotp(v)}
          />
          <Button type="submit" isDisabled={!name || !permissions.length}>
            Create role
          </Button>
        </ActionGroup>
      </Form>
      <Table aria-label="Roles" variant="compact">
        <Thead>
          <Tr>
            <Th>Role</Th>
            <Th>Permissions</Th>
          </Tr>
        </Thead>
        <Tbody>
          {(roles.data ?? []).map((role) => (
            <Tr key={role.id}>
              <Td>
                {role.name} {role.builtIn && <Label isCompact>built-in</Label>}{' '}
                {role.requireTotp && (
                  <Label isCompact color="purple">
                    2FA required
                  </Label>
                )}
              </Td>
              <Td>{role.permissions.join(', ')}</Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    </>
  );
}

function BindingsTab() {
  const bindings = useQuery(roleBindingsQuery());
  const users = useQuery(usersQuery());
  const groups = useQuery(groupsQuery());
  const roles = useQuery(rolesQuery());
  const create = useApiMutation(createRoleBinding, [['role-bindings']]);
  const remove = useApiMutation(deleteRoleBinding, [['role-bindings']]);
  const [subject, setSubject] = useState('');
  const [roleId, setRoleId] = useState('');
  const [scope, setScope] = useState('/');
  const subjects = [
    ...(users.data ?? []).map((u) => ({ key: `user:${u.id}`, label: `user ${u.username}` })),
    ...(groups.data ?? []).map((g) => ({ key: `group:${g.id}`, label: `group ${g.name}` })),
  ];
  const label = new Map(subjects.map((s) => [s.key, s.label]));
  const roleName = new Map((roles.data ?? []).map((r) => [r.id, r.name]));
  return (
    <>
      <Form
        isHorizontal
        onSubmit={(event) => {
          event.preventDefault();
          const [subjectType, subjectId] = subject.split(':') as ['user' | 'group', string];
          create.mutate({ body: { subjectType, subjectId, roleId, scope } });
        }}
      >
        <ErrorAlert error={create.error} />
        <FormGroup label="Who" fieldId="binding-subject">
          <FormSelect id="binding-subject" value={subject} onChange={(_e, v) => setSubject(v)}>
            <FormSelectOption value="" label="Choose a user or group" isPlaceholder />
            {subjects.map((s) => (
              <FormSelectOption key={s.key} value={s.key} label={s.label} />
            ))}
          </FormSelect>
        </FormGroup>
        <FormGroup label="Role" fieldId="binding-role">
          <FormSelect id="binding-role" value={roleId} onChange={(_e, v) => setRoleId(v)}>
            <FormSelectOption value="" label="Choose a role" isPlaceholder />
            {(roles.data ?? []).map((r) => (
              <FormSelectOption key={r.id} value={r.id} label={r.name} />
            ))}
          </FormSelect>
        </FormGroup>
        <FormGroup label="Scope" fieldId="binding-scope">
          <TextInput id="binding-scope" value={scope} onChange={(_e, v) => setScope(v)} />
        </FormGroup>
        <ActionGroup>
          <Button type="submit" isDisabled={!subject || !roleId || !scope}>
            Grant
          </Button>
        </ActionGroup>
      </Form>
      <Table aria-label="Role bindings" variant="compact">
        <Thead>
          <Tr>
            <Th>Who</Th>
            <Th>Role</Th>
            <Th>Scope</Th>
            <Th screenReaderText="Actions" />
          </Tr>
        </Thead>
        <Tbody>
          {(bindings.data ?? []).map((binding) => (
            <Tr key={binding.id}>
              <Td>{label.get(`${binding.subjectType}:${binding.subjectId}`) ?? binding.subjectId}</Td>
              <Td>{roleName.get(binding.roleId) ?? binding.roleId}</Td>
              <Td>
                <code>{binding.scope}</code>
              </Td>
              <Td>
                <Button variant="link" isDanger onClick={() => remove.mutate({ params: { bindingId: binding.id } })}>
                  Remove
                </Button>
              </Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    </>
  );
}

function SessionsTab() {
  const sessions = useQuery(sessionsQuery());
  const revoke = useApiMutation(revokeSession, [['sessions']]);
  return (
    <Table aria-label="Sessions" variant="compact">
      <Thead>
        <Tr>
          <Th>User</Th>
          <Th>From</Th>
          <Th>Last seen</Th>
          <Th>Expires</Th>
          <Th screenReaderText="Actions" />
        </Tr>
      </Thead>
      <Tbody>
        {(sessions.data ?? []).map((session) => (
          <Tr key={session.id}>
            <Td>{session.username}</Td>
            <Td>{session.sourceIp}</Td>
            <Td>{new Date(session.lastSeenAt).toLocaleString()}</Td>
            <Td>{new Date(session.expiresAt).toLocaleString()}</Td>
            <Td>
              <Button variant="link" isDanger onClick={() => revoke.mutate({ params: { sessionId: session.id } })}>
                End
              </Button>
            </Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}

/** Users, groups, roles, role bindings and sessions (Settings), for holders of user.admin. */
export function AccessAdminPage() {
  const [tab, setTab] = useState<string | number>('users');
  return (
    <RequirePermission permission="user.admin">
      <PageSection>
        <Title headingLevel="h1">Users and access</Title>
        <Content component="p">
          Roles are sets of permissions; a role binding gives a user or group a role on a scope (/, /clusters/…, /hosts/…,
          /vms/…), inherited downwards.
        </Content>
      </PageSection>
      <PageSection isFilled>
        <Tabs activeKey={tab} onSelect={(_e, key) => setTab(key)} aria-label="Access management" mountOnEnter unmountOnExit>
          <Tab eventKey="users" title={<TabTitleText>Users</TabTitleText>}>
            <UsersTab />
          </Tab>
          <Tab eventKey="groups" title={<TabTitleText>Groups</TabTitleText>}>
            <GroupsTab />
          </Tab>
          <Tab eventKey="roles" title={<TabTitleText>Roles</TabTitleText>}>
            <RolesTab />
          </Tab>
          <Tab eventKey="bindings" title={<TabTitleText>Role bindings</TabTitleText>}>
            <BindingsTab />
          </Tab>
          <Tab eventKey="sessions" title={<TabTitleText>Sessions</TabTitleText>}>
            <SessionsTab />
          </Tab>
        </Tabs>
      </PageSection>
    </RequirePermission>
  );
}
