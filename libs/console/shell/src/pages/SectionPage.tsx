import { Content, EmptyState, EmptyStateBody, PageSection, Title } from '@patternfly/react-core';
import type { ReactNode } from 'react';

interface SectionPageProps {
  title: string;
  description: string;
  emptyTitle: string;
  emptyBody: ReactNode;
}

/** A section that has nothing to show yet says so plainly, and what will appear here. */
export function SectionPage({ title, description, emptyTitle, emptyBody }: SectionPageProps) {
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">{title}</Title>
        <Content component="p">{description}</Content>
      </PageSection>
      <PageSection isFilled>
        <EmptyState titleText={emptyTitle} headingLevel="h2">
          <EmptyStateBody>{emptyBody}</EmptyStateBody>
        </EmptyState>
      </PageSection>
    </>
  );
}
