import { Dropdown, DropdownItem, DropdownList, MenuToggle } from '@patternfly/react-core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { logout } from '@cockpit/contracts';
import { meQuery, setCsrfToken, useApiMutation } from '@cockpit/console-api';

export function UserMenu() {
  const me = useQuery(meQuery());
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // Signed out or not (the session may be gone already), this browser forgets it.
  const signOut = useApiMutation(logout, {
    onSettled: async () => {
      setCsrfToken(undefined);
      queryClient.clear();
      await navigate('/login', { replace: true });
    },
  });
  if (!me.data) return null;
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
        <DropdownItem key="sign-out" onClick={() => signOut.mutate()} isDisabled={signOut.isPending}>
          Sign out
        </DropdownItem>
      </DropdownList>
    </Dropdown>
  );
}
