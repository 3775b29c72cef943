import { SectionPage } from './SectionPage.js';

export const MigrationsPage = () => (
  <SectionPage
    title="Migrations"
    description="Live and storage migrations: pre-flight checks, progress, and the history with the downtime achieved."
    emptyTitle="No migrations"
    emptyBody="No migration has run. Migrating VMs is not available in this version yet."
  />
);

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
