import {
  ActionGroup,
  Alert,
  Button,
  Content,
  EmptyState,
  EmptyStateBody,
  Form,
  FormGroup,
  Label,
  PageSection,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { enrollHost, trustHost, type Host } from '@cockpit/contracts';
import { can } from '@cockpit/console-access';
import { callApi, hostsQuery, meQuery } from '@cockpit/console-api';

const STATE_COLOR = {
  connected: 'green',
  'pending-trust': 'orange',
  unreachable: 'red',
  untrusted: 'red',
  error: 'red',
  disabled: 'grey',
} as const;

function AddHost() {
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [fingerprint, setFingerprint] = useState('');
  const enroll = useMutation({
    mutationFn: () => callApi(enrollHost, { body: { url, token, ...(fingerprint ? { fingerprint } : {}) } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['hosts'] }),
  });
  return (
    <Form isHorizontal onSubmit={(event) => (event.preventDefault(), enroll.mutate())}>
      <Title headingLevel="h2">Add a host</Title>
      {enroll.isError && <Alert variant="danger" isInline isPlain title={enroll.error.message} />}
      {enroll.data?.state === 'pending-trust' && (
        <Alert variant="warning" isInline title="Check the certificate before trusting this host">
          It presents SHA-256 fingerprint <code>{enroll.data.fingerprint}</code>. Compare it with the one the agent printed at
          start, then trust it in the list below.
        </Alert>
      )}
      <FormGroup label="Agent URL" fieldId="host-url">
        <TextInput id="host-url" value={url} placeholder="https://host.example.com:9443" onChange={(_e, v) => setUrl(v)} />
      </FormGroup>
      <FormGroup label="Token" fieldId="host-token">
        <TextInput id="host-token" type="password" value={token} onChange={(_e, v) => setToken(v)} />
      </FormGroup>
      <FormGroup label="Fingerprint (optional)" fieldId="host-fingerprint">
        <TextInput
          id="host-fingerprint"
          value={fingerprint}
          placeholder="AA:BB:… — leave empty to be shown it first"
          onChange={(_e, v) => setFingerprint(v)}
        />
      </FormGroup>
      <ActionGroup>
        <Button type="submit" isDisabled={!url || token.length < 16 || enroll.isPending}>
          Add host
        </Button>
      </ActionGroup>
    </Form>
  );
}

function TrustButton({ host }: { host: Host }) {
  const queryClient = useQueryClient();
  const trust = useMutation({
    mutationFn: () => callApi(trustHost, { params: { hostId: host.id }, body: { fingerprint: host.fingerprint } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['hosts'] }),
  });
  return (
    <>
      <Button variant="secondary" size="sm" onClick={() => trust.mutate()} isDisabled={trust.isPending}>
        Trust {host.fingerprint.slice(0, 11)}…
      </Button>
      {trust.isError && <Alert variant="danger" isInline isPlain title={trust.error.message} />}
    </>
  );
}

/** Enrolled Vapor hosts; live state, ownership and metrics arrive with the collector. */
export function HostsPage() {
  const hosts = useQuery(hostsQuery());
  const me = useQuery(meQuery());
  const manage = can(me.data, 'host.manage');
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Hosts</Title>
        <Content component="p">Vapor hosts: hardware, storage pools, networks and connection state.</Content>
      </PageSection>
      <PageSection isFilled>
        {hosts.isError && <Alert variant="danger" isInline title={hosts.error.message} />}
        {hosts.data && !hosts.data.length ? (
          <EmptyState titleText="No hosts enrolled" headingLevel="h2">
            <EmptyStateBody>
              Add a Vapor host by its URL and token{manage ? ' below' : ' (needs the host.manage permission)'}.
            </EmptyStateBody>
          </EmptyState>
        ) : (
          <Table aria-label="Hosts" variant="compact">
            <Thead>
              <Tr>
                <Th>Host</Th>
                <Th>State</Th>
                <Th>CPU</Th>
                <Th>Memory</Th>
                <Th>Agent</Th>
                <Th>URL</Th>
              </Tr>
            </Thead>
            <Tbody>
              {(hosts.data ?? []).map((host) => (
                <Tr key={host.id}>
                  <Td dataLabel="Host">{host.name}</Td>
                  <Td dataLabel="State">
                    <Label color={STATE_COLOR[host.state]}>{host.state}</Label>{' '}
                    {host.state === 'pending-trust' && manage && <TrustButton host={host} />}
                    {host.stateReason && host.state !== 'pending-trust' && (
                      <Content component="small">{host.stateReason}</Content>
                    )}
                  </Td>
                  <Td dataLabel="CPU">
                    {host.info
                      ? `${host.info.cpu.model}, ${host.info.cpu.sockets * host.info.cpu.coresPerSocket * host.info.cpu.threadsPerCore} threads`
                      : '—'}
                  </Td>
                  <Td dataLabel="Memory">{host.info ? `${Math.round(host.info.memory.totalMiB / 1024)} GiB` : '—'}</Td>
                  <Td dataLabel="Agent">{host.agentVersion ?? '—'}</Td>
                  <Td dataLabel="URL">
                    <code>{host.url}</code>
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
      </PageSection>
      {manage && (
        <PageSection>
          <AddHost />
        </PageSection>
      )}
    </>
  );
}
