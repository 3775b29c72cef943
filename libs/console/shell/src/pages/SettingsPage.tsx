import {
  Content,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  PageSection,
  Title,
} from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { systemInfoQuery } from '@cockpit/console-api';
import { useOsColorScheme } from '../theme/use-os-color-scheme.js';

export function SettingsPage() {
  const info = useQuery(systemInfoQuery());
  const scheme = useOsColorScheme();
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Settings</Title>
        <Content component="p">Users, roles, API tokens and sign-in settings will be managed here.</Content>
      </PageSection>
      <PageSection isFilled>
        <DescriptionList>
          <DescriptionListGroup>
            <DescriptionListTerm>Colour scheme</DescriptionListTerm>
            <DescriptionListDescription>Follows your operating system (now {scheme})</DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>API documentation</DescriptionListTerm>
            <DescriptionListDescription>
              <a href="/api/docs">/api/docs</a> (OpenAPI: <a href="/api/openapi.json">/api/openapi.json</a>)
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Version</DescriptionListTerm>
            <DescriptionListDescription>{info.data?.version ?? '…'}</DescriptionListDescription>
          </DescriptionListGroup>
        </DescriptionList>
      </PageSection>
    </>
  );
}
