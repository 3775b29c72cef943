import { Content, PageSection, Tab, Tabs, TabTitleText, Title } from '@patternfly/react-core';
import { useSearchParams } from 'react-router';
import { BindingsTab } from './BindingsTab.js';
import { GroupsTab } from './GroupsTab.js';
import { RolesTab } from './RolesTab.js';
import { RequirePermission } from './session.js';
import { SessionsTab } from './SessionsTab.js';
import { UsersTab } from './UsersTab.js';

const TABS = [
  { key: 'users', title: 'Users', Content: UsersTab },
  { key: 'groups', title: 'Groups', Content: GroupsTab },
  { key: 'roles', title: 'Roles', Content: RolesTab },
  { key: 'bindings', title: 'Role bindings', Content: BindingsTab },
  { key: 'sessions', title: 'Sessions', Content: SessionsTab },
] as const;

/**
 * Users, groups, roles, role bindings and sessions (Settings), for holders of user.admin: a tab
 * each (?tab=…), each a list the server pages, its filters in the URL.
 */
export function AccessAdminPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const requested = searchParams.get('tab');
  const tab = TABS.find((candidate) => candidate.key === requested)?.key ?? 'users';
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
        <Tabs
          activeKey={tab}
          // Another tab's filters mean nothing here: a tab starts unfiltered.
          onSelect={(_e, key) => setSearchParams(key === 'users' ? {} : { tab: String(key) }, { replace: true })}
          aria-label="Access management"
          mountOnEnter
          unmountOnExit
        >
          {TABS.map(({ key, title, Content: TabContent }) => (
            <Tab key={key} eventKey={key} title={<TabTitleText>{title}</TabTitleText>}>
              <TabContent />
            </Tab>
          ))}
        </Tabs>
      </PageSection>
    </RequirePermission>
  );
}
