import {
  Alert,
  Button,
  Flex,
  FlexItem,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  TextInput,
} from '@patternfly/react-core';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { removeHost, updateHost, type Host } from '@cockpit/contracts';
import { useApiMutation } from '@cockpit/console-api';
import { HOST_REMOVED, HOSTS_CHANGED } from './host-changes.js';

const MIN_TOKEN_LENGTH = 16;

/** A new agent URL or token; the api checks both against the host before anything changes. */
function EditConnectionModal({ host, onClose }: { host: Host; onClose: () => void }) {
  const [url, setUrl] = useState(host.url);
  const [token, setToken] = useState('');
  const changes = { ...(url.trim() !== host.url ? { url: url.trim() } : {}), ...(token ? { token } : {}) };
  const save = useApiMutation(updateHost, { invalidates: HOSTS_CHANGED, onSuccess: onClose });
  const tokenTooShort = !!token && token.length < MIN_TOKEN_LENGTH;
  const canSave = !!url.trim() && !tokenTooShort && Object.keys(changes).length > 0 && !save.isPending;
  return (
    <Modal isOpen variant="small" onClose={onClose} aria-labelledby="edit-connection-title">
      <ModalHeader title={`Edit the connection to ${host.name}`} labelId="edit-connection-title" />
      <ModalBody>
        <Form
          id="edit-connection"
          onSubmit={(event) => {
            event.preventDefault();
            if (canSave) save.mutate({ params: { hostId: host.id }, body: changes });
          }}
        >
          {save.isError && <Alert variant="danger" isInline isPlain title={save.error.message} />}
          <FormGroup label="Agent URL" fieldId="edit-host-url">
            <TextInput id="edit-host-url" value={url} onChange={(_e, v) => setUrl(v)} />
            <FormHelperText>
              <HelperText>
                <HelperTextItem>
                  It must present the pinned certificate; another machine is enrolled as a new host.
                </HelperTextItem>
              </HelperText>
            </FormHelperText>
          </FormGroup>
          <FormGroup label="New token" fieldId="edit-host-token">
            <TextInput
              id="edit-host-token"
              type="password"
              value={token}
              validated={tokenTooShort ? 'error' : 'default'}
              onChange={(_e, v) => setToken(v)}
            />
            <FormHelperText>
              <HelperText>
                <HelperTextItem variant={tokenTooShort ? 'error' : 'default'}>
                  {tokenTooShort ? `At least ${MIN_TOKEN_LENGTH} characters` : 'Leave empty to keep the current token.'}
                </HelperTextItem>
              </HelperText>
            </FormHelperText>
          </FormGroup>
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button type="submit" form="edit-connection" isDisabled={!canSave}>
          Save
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}

function RemoveHostModal({ host, onClose }: { host: Host; onClose: () => void }) {
  const navigate = useNavigate();
  // Off its page first: refreshing it now would only find it gone.
  const remove = useApiMutation(removeHost, { invalidates: HOST_REMOVED, onSuccess: () => navigate('/hosts') });
  return (
    <Modal isOpen variant="small" onClose={onClose} aria-labelledby="remove-host-title" aria-describedby="remove-host-body">
      <ModalHeader title={`Remove ${host.name}?`} titleIconVariant="warning" labelId="remove-host-title" />
      <ModalBody id="remove-host-body">
        {remove.isError && <Alert variant="danger" isInline isPlain title={remove.error.message} />}
        Cockpit stops collecting from {host.name} (<code>{host.url}</code>) and forgets it: its inventory and metrics history are
        removed too. To see it again, enroll it anew.
      </ModalBody>
      <ModalFooter>
        <Button variant="danger" onClick={() => remove.mutate({ params: { hostId: host.id } })} isDisabled={remove.isPending}>
          Remove
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}

/** What a host manager can do to a host from its page: pause collecting, fix its connection, remove it. */
export function HostActions({ host }: { host: Host }) {
  const toggleCollecting = useApiMutation(updateHost, { invalidates: HOSTS_CHANGED });
  const [open, setOpen] = useState<'edit' | 'remove' | null>(null);
  const close = () => setOpen(null);
  return (
    <>
      <Flex spaceItems={{ default: 'spaceItemsSm' }}>
        <FlexItem>
          <Button
            variant="secondary"
            onClick={() => toggleCollecting.mutate({ params: { hostId: host.id }, body: { enabled: !host.enabled } })}
            isDisabled={toggleCollecting.isPending}
          >
            {host.enabled ? 'Disable collecting' : 'Enable collecting'}
          </Button>
        </FlexItem>
        <FlexItem>
          <Button variant="secondary" onClick={() => setOpen('edit')}>
            Edit connection
          </Button>
        </FlexItem>
        <FlexItem>
          <Button variant="secondary" isDanger onClick={() => setOpen('remove')}>
            Remove host
          </Button>
        </FlexItem>
      </Flex>
      {toggleCollecting.isError && <Alert variant="danger" isInline isPlain title={toggleCollecting.error.message} />}
      {open === 'edit' && <EditConnectionModal host={host} onClose={close} />}
      {open === 'remove' && <RemoveHostModal host={host} onClose={close} />}
    </>
  );
}
