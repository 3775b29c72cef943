import {
  Masthead,
  MastheadBrand,
  MastheadContent,
  MastheadLogo,
  MastheadMain,
  MastheadToggle,
  Nav,
  NavItem,
  NavList,
  Page,
  PageSidebar,
  PageSidebarBody,
  PageToggleButton,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { BarsIcon } from '@patternfly/react-icons';
import { useQuery } from '@tanstack/react-query';
import { NavLink, Outlet, useLocation } from 'react-router';
import { can, UserMenu } from '@cockpit/console-access';
import { LiveEventsProvider, meQuery } from '@cockpit/console-api';
import { JobsIndicator } from '@cockpit/console-jobs';
import { useOsColorScheme } from '../theme/use-os-color-scheme.js';
import { ApiStatus } from './ApiStatus.js';
import { sections } from './navigation.js';

export function AppLayout() {
  useOsColorScheme();
  const location = useLocation();
  const me = useQuery(meQuery());
  // Sections a user cannot use are not offered (the pages say so too, for a typed-in address).
  const visible = sections.filter(
    (section) =>
      (section.path !== '/settings' || can(me.data, 'user.admin')) && (section.path !== '/audit' || can(me.data, 'audit.view')),
  );
  const isCurrent = (path: string) => (path === '/' ? location.pathname === '/' : location.pathname.startsWith(path));

  const masthead = (
    <Masthead>
      <MastheadMain>
        <MastheadToggle>
          <PageToggleButton isHamburgerButton aria-label="Toggle navigation">
            <BarsIcon />
          </PageToggleButton>
        </MastheadToggle>
        <MastheadBrand>
          <MastheadLogo component={(props) => <NavLink to="/" {...props} />}>
            <span className="cockpit-brand">Cockpit</span>
          </MastheadLogo>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent>
        <Toolbar isFullHeight isStatic>
          <ToolbarContent>
            <ToolbarItem align={{ default: 'alignEnd' }}>
              <JobsIndicator />
            </ToolbarItem>
            <ToolbarItem>
              <ApiStatus />
            </ToolbarItem>
            <ToolbarItem>
              <UserMenu />
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
      </MastheadContent>
    </Masthead>
  );

  const sidebar = (
    <PageSidebar>
      <PageSidebarBody>
        <Nav aria-label="Main navigation">
          <NavList>
            {visible.map((section) => (
              <NavItem key={section.path} isActive={isCurrent(section.path)}>
                <NavLink to={section.path} end={section.path === '/'}>
                  {section.label}
                </NavLink>
              </NavItem>
            ))}
          </NavList>
        </Nav>
      </PageSidebarBody>
    </PageSidebar>
  );

  // Signed in: the live connection is open as long as the shell is shown.
  return (
    <LiveEventsProvider>
      <Page masthead={masthead} sidebar={sidebar} isManagedSidebar>
        <Outlet />
      </Page>
    </LiveEventsProvider>
  );
}
