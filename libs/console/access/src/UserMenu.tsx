import { Dropdown, DropdownItem, DropdownList, MenuToggle } from '@patternfly/react-core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { logout } from '@cockpit/contracts';
import { callApi, meQuery, setCsrfToken } from '@cockpit/console-api';

export function UserMenu() {
  const me = useQuery(meQuery());
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  if (!me.data) return null;
  const signOut = async () => {
    await callApi(logout).catch(() => undefined);
    setCsrfToken(undefined);
    queryClient.clear();
    await navigate('/login', { replace: true });
  };
  return (
    <Dropdown
      isOpen={open}
      onOpenChange={setOpen}
      popperProps={{ position: 'right' }}
      toggle={(ref) => (
        <MenuToggle ref={ref} variant="plainText" onClick={() => setOpen(!open)} isExpanded={open} aria-label="User menu">
          {me.data?.user.displayName}
        </MenuToggle>
      )}
    >
      <DropdownList>
        <DropdownItem key="account" onClick={() => void navigate('/account')}>
          Account, password, two-factor, API tokens
        </DropdownItem>
        <DropdownItem key="sign-out" onClick={() => void signOut()}>
          Sign out
        </DropdownItem>
      </DropdownList>
    </Dropdown>
  );
}
