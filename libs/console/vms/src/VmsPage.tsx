import { Button, Content, Flex, FlexItem, PageSection, Title, Tooltip } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { canSomewhere } from '@cockpit/console-access';
import { meQuery } from '@cockpit/console-api';
import { CreateVmWizard } from './CreateVmWizard.js';
import { VmList } from './VmList.js';

/** The VMs on every host the user may view, a page at a time. Other pages link here with ?state=… or ?hostId=…. */
export function VmsPage() {
  const me = useQuery(meQuery());
  const [creating, setCreating] = useState(false);
  const mayCreate = canSomewhere(me.data, 'vm.create');
  const create = (
    <Button variant="primary" isAriaDisabled={!mayCreate} onClick={() => setCreating(true)}>
      Create VM
    </Button>
  );
  return (
    <>
      <PageSection>
        <Flex alignItems={{ default: 'alignItemsCenter' }}>
          <FlexItem>
            <Title headingLevel="h1">Virtual machines</Title>
          </FlexItem>
          <FlexItem align={{ default: 'alignRight' }}>
            {mayCreate ? create : <Tooltip content="Creating a VM needs the vm.create permission">{create}</Tooltip>}
          </FlexItem>
        </Flex>
        <Content component="p">Every VM on every host, with its state and live use.</Content>
      </PageSection>
      <PageSection isFilled>
        <VmList />
      </PageSection>
      {creating && <CreateVmWizard onClose={() => setCreating(false)} />}
    </>
  );
}
