import {
  Alert,
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Gallery,
  PageSection,
  Spinner,
  Title,
} from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { can } from '@cockpit/console-access';
import { meQuery, systemInfoQuery } from '@cockpit/console-api';
import { FleetSummaryCards } from '@cockpit/console-hosts';
import { Link } from 'react-router';

export function DashboardPage() {
  const info = useQuery(systemInfoQuery());
  const me = useQuery(meQuery());
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Dashboard</Title>
        {can(me.data, 'user.admin') && me.data?.totpEnabled === false && (
          <Alert variant="warning" isInline title="Protect this administrator account with a second factor">
            A password alone can sign in as you. <Link to="/account">Set up two-factor authentication</Link>
          </Alert>
        )}
      </PageSection>
      <PageSection isFilled>
        <Gallery hasGutter minWidths={{ default: '320px' }}>
          <FleetSummaryCards />
          <Card>
            <CardTitle>Cockpit</CardTitle>
            <CardBody>
              {info.isPending && <Spinner size="md" aria-label="Loading system information" />}
              {info.isError && (
                <Alert variant="danger" isInline isPlain title="Cannot reach the Cockpit API">
                  {info.error.message}
                </Alert>
              )}
              {info.isSuccess && (
                <DescriptionList isCompact isHorizontal>
                  <DescriptionListGroup>
                    <DescriptionListTerm>Version</DescriptionListTerm>
                    <DescriptionListDescription>{info.data.version}</DescriptionListDescription>
                  </DescriptionListGroup>
                  <DescriptionListGroup>
                    <DescriptionListTerm>API instance</DescriptionListTerm>
                    <DescriptionListDescription>{info.data.instanceId}</DescriptionListDescription>
                  </DescriptionListGroup>
                  <DescriptionListGroup>
                    <DescriptionListTerm>API documentation</DescriptionListTerm>
                    <DescriptionListDescription>
                      <a href="/api/docs">/api/docs</a>
                    </DescriptionListDescription>
                  </DescriptionListGroup>
                  <DescriptionListGroup>
                    <DescriptionListTerm>Running since</DescriptionListTerm>
                    <DescriptionListDescription>{new Date(info.data.startedAt).toLocaleString()}</DescriptionListDescription>
                  </DescriptionListGroup>
                </DescriptionList>
              )}
            </CardBody>
          </Card>
        </Gallery>
      </PageSection>
    </>
  );
}
