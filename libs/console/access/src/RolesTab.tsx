import { ActionGroup, Button, Checkbox, Form, FormGroup, Label, TextInput } from '@patternfly/react-core';
import { useState } from 'react';
import { createRole, PERMISSIONS, type Permission } from '@cockpit/contracts';
import { rolesPageQuery, useApiMutation } from '@cockpit/console-api';
import { PagedList, type ListColumn, type ListFilter, type ListRequest } from '@cockpit/console-ui';
import type { RoleRow } from './directory-types.js';
import { ErrorAlert } from './ErrorAlert.js';

const FILTERS: readonly ListFilter[] = [{ kind: 'text', name: 'name', label: 'Filter roles by name' }];
const rolesPage = ({ filters, sort, limit, cursor }: ListRequest) =>
  rolesPageQuery({ name: filters['name'], sort, limit, cursor });
const COLUMNS: readonly ListColumn<RoleRow>[] = [
  {
    title: 'Role',
    sortField: 'name',
    cell: (role) => (
      <>
        {role.name} {role.builtIn && <Label isCompact>built-in</Label>}{' '}
        {role.requireTotp && (
          <Label isCompact color="purple">
            2FA required
          </Label>
        )}
      </>
    ),
  },
  { title: 'Permissions', cell: (role) => role.permissions.join(', ') },
];

function NewRoleForm() {
  const create = useApiMutation(createRole, { invalidates: [['roles']] });
  const [name, setName] = useState('');
  const [permissions, setPermissions] = useState<Permission[]>([]);
  const [requireTotp, setRequireTotp] = useState(false);
  return (
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
        <Button type="submit" isDisabled={!name || !permissions.length || create.isPending}>
          Create role
        </Button>
      </ActionGroup>
    </Form>
  );
}

export function RolesTab() {
  return (
    <>
      <NewRoleForm />
      <PagedList
        label="Roles"
        noun="roles"
        columns={COLUMNS}
        filters={FILTERS}
        defaultSort="name"
        query={rolesPage}
        rowKey={(role) => role.id}
        empty={{ title: 'No roles' }}
      />
    </>
  );
}
