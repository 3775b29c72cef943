import { Content, PageSection, Title } from '@patternfly/react-core';
import { VmList } from './VmList.js';

/** The VMs on every host the user may view, a page at a time. Other pages link here with ?state=… or ?hostId=…. */
export function VmsPage() {
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Virtual machines</Title>
        <Content component="p">Every VM on every host, with its state and live use.</Content>
      </PageSection>
      <PageSection isFilled>
        <VmList />
      </PageSection>
    </>
  );
}
