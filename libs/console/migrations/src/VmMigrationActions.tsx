import { Button, Flex, FlexItem, Tooltip } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactElement } from 'react';
import { Link } from 'react-router';
import type { FleetVm } from '@cockpit/contracts';
import { meQuery } from '@cockpit/console-api';
import { MigrateWizard } from './MigrateWizard.js';
import { MoveStorageModal } from './MoveStorageModal.js';
import { mayMigrateVm, stateRefusal } from './permissions.js';

/**
 * The VM page's Migrate and Move storage, for a user holding vm.migrate on the VM: enabled for a
 * running, paused or shut-off VM (disabled with the reason otherwise), and its migrations' history.
 */
export function VmMigrationActions({ vm }: { vm: FleetVm }) {
  const me = useQuery(meQuery());
  const [open, setOpen] = useState<'migrate' | 'storage' | null>(null);
  if (!mayMigrateVm(me.data, vm)) return null;
  const refusal = stateRefusal(vm);
  const guarded = (button: ReactElement) => (refusal ? <Tooltip content={refusal}>{button}</Tooltip> : button);
  return (
    <>
      <Flex spaceItems={{ default: 'spaceItemsSm' }} alignItems={{ default: 'alignItemsCenter' }}>
        <FlexItem>
          {guarded(
            <Button variant="secondary" isAriaDisabled={!!refusal} onClick={() => setOpen('migrate')}>
              Migrate
            </Button>,
          )}
        </FlexItem>
        <FlexItem>
          {guarded(
            <Button variant="secondary" isAriaDisabled={!!refusal || !vm.disks.length} onClick={() => setOpen('storage')}>
              Move storage
            </Button>,
          )}
        </FlexItem>
        <FlexItem>
          <Link to={`/migrations?vmId=${vm.id}`}>Migrations</Link>
        </FlexItem>
      </Flex>
      {open === 'migrate' && <MigrateWizard vm={vm} onClose={() => setOpen(null)} />}
      {open === 'storage' && <MoveStorageModal vm={vm} onClose={() => setOpen(null)} />}
    </>
  );
}
