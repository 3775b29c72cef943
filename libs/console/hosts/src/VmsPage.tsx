import { Alert, Content, EmptyState, EmptyStateBody, PageSection, Spinner, Title } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { VmState } from '@cockpit/contracts';
import { vmsQuery } from '@cockpit/console-api';
import { VmTable } from './VmTable.js';

/** Every VM on every host the user may view. */
export function VmsPage() {
  const vms = useQuery(vmsQuery());
  // Other pages link here with ?state=… or ?hostId=… for a filtered list.
  const [searchParams] = useSearchParams();
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Virtual machines</Title>
        <Content component="p">Every VM on every host, with its state and live use.</Content>
      </PageSection>
      <PageSection isFilled>
        {vms.isPending && <Spinner size="lg" aria-label="Loading virtual machines" />}
        {vms.isError && <Alert variant="danger" isInline title={vms.error.message} />}
        {vms.data && !vms.data.length && (
          <EmptyState titleText="No virtual machines" headingLevel="h2">
            <EmptyStateBody>VMs appear here once enrolled hosts report them.</EmptyStateBody>
          </EmptyState>
        )}
        {!!vms.data?.length && (
          <VmTable
            vms={vms.data}
            showHost
            initialState={VmState.safeParse(searchParams.get('state')).data ?? 'all'}
            initialHostId={searchParams.get('hostId') ?? ''}
          />
        )}
      </PageSection>
    </>
  );
}
