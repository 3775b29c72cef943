import { SectionPage } from './SectionPage.js';

export const ClustersPage = () => (
  <SectionPage
    title="Clusters"
    description="Hierarchical, overlapping groups of hosts used to scope permissions and operations."
    emptyTitle="No clusters"
    emptyBody="No clusters are defined. Creating clusters is not available in this version yet."
  />
);

export const OperationsPage = () => (
  <SectionPage
    title="Operations"
    description="Global commands across many hosts with collated output, node properties, triggers and image deployments."
    emptyTitle="No operations"
    emptyBody="No operation has run. Fleet operations are not available in this version yet."
  />
);
