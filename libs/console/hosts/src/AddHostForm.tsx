import { ActionGroup, Alert, Button, Form, FormGroup, TextInput, Title } from '@patternfly/react-core';
import { useState } from 'react';
import { enrollHost, trustHost, type Host } from '@cockpit/contracts';
import { useApiMutation } from '@cockpit/console-api';
import { HOSTS_CHANGED } from './host-changes.js';

export function AddHostForm() {
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [fingerprint, setFingerprint] = useState('');
  const enroll = useApiMutation(enrollHost, { invalidates: HOSTS_CHANGED });
  return (
    <Form
      isHorizontal
      onSubmit={(event) => (
        event.preventDefault(),
        enroll.mutate({ body: { url, token, ...(fingerprint ? { fingerprint } : {}) } })
      )}
    >
      <Title headingLevel="h2">Add a host</Title>
      {enroll.isError && <Alert variant="danger" isInline isPlain title={enroll.error.message} />}
      {enroll.data?.state === 'pending-trust' && (
        <Alert variant="warning" isInline title="Check the certificate before trusting this host">
          It presents SHA-256 fingerprint <code>{enroll.data.fingerprint}</code>. Compare it with the one the agent printed at
          start, then trust it in the list above.
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

/** Pins the fingerprint a pending host presents, after the administrator compared it. */
export function TrustButton({ host }: { host: Host }) {
  const trust = useApiMutation(trustHost, { invalidates: HOSTS_CHANGED });
  return (
    <>
      <Button
        variant="secondary"
        size="sm"
        onClick={() => trust.mutate({ params: { hostId: host.id }, body: { fingerprint: host.fingerprint } })}
        isDisabled={trust.isPending}
      >
        Trust {host.fingerprint.slice(0, 11)}…
      </Button>
      {trust.isError && <Alert variant="danger" isInline isPlain title={trust.error.message} />}
    </>
  );
}
