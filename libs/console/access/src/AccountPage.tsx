import {
  ActionGroup,
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  ClipboardCopy,
  Content,
  Form,
  FormGroup,
  Gallery,
  List,
  ListItem,
  PageSection,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import {
  changeOwnPassword,
  createToken,
  revokeOwnSession,
  revokeToken,
  totpDisable,
  totpEnable,
  totpSetup,
  type Permission,
} from '@cockpit/contracts';
import { meQuery, ownSessionsPageQuery, tokensPageQuery, useApiMutation } from '@cockpit/console-api';
import { PagedList, type ListColumn, type ListRequest } from '@cockpit/console-ui';
import type { SessionRow, TokenRow } from './directory-types.js';
import { ErrorAlert } from './ErrorAlert.js';

function PasswordCard() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useApiMutation(changeOwnPassword);
  return (
    <Card>
      <CardTitle>Password</CardTitle>
      <CardBody>
        <Form
          onSubmit={(event) => {
            event.preventDefault();
            change.mutate(
              { body: { currentPassword: current, newPassword: next } },
              { onSuccess: () => (setCurrent(''), setNext('')) },
            );
          }}
        >
          {change.isSuccess && <Alert variant="success" isInline isPlain title="Password changed; your other sessions ended." />}
          {change.isError && <Alert variant="danger" isInline isPlain title={change.error.message} />}
          <FormGroup label="Current password" fieldId="current-password">
            <TextInput
              id="current-password"
              type="password"
              value={current}
              onChange={(_e, v) => setCurrent(v)}
              autoComplete="current-password"
            />
          </FormGroup>
          <FormGroup label="New password (12 characters or more)" fieldId="new-password">
            <TextInput
              id="new-password"
              type="password"
              value={next}
              onChange={(_e, v) => setNext(v)}
              autoComplete="new-password"
            />
          </FormGroup>
          <ActionGroup>
            <Button type="submit" isDisabled={!current || next.length < 12 || change.isPending}>
              Change password
            </Button>
          </ActionGroup>
        </Form>
      </CardBody>
    </Card>
  );
}

function TotpCard() {
  const me = useQuery(meQuery());
  const setup = useApiMutation(totpSetup);
  const enable = useApiMutation(totpEnable, { invalidates: [['auth', 'me']] });
  const disable = useApiMutation(totpDisable, { invalidates: [['auth', 'me']] });
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  if (enable.data) {
    return (
      <Card>
        <CardTitle>Two-factor authentication is on</CardTitle>
        <CardBody>
          <Alert
            variant="warning"
            isInline
            title="Save these recovery codes now: each signs you in once if you lose your device. They are not shown again."
          />
          <List aria-label="Recovery codes" isPlain>
            {enable.data.recoveryCodes.map((recoveryCode) => (
              <ListItem key={recoveryCode}>
                <code>{recoveryCode}</code>
              </ListItem>
            ))}
          </List>
        </CardBody>
      </Card>
    );
  }
  return (
    <Card>
      <CardTitle>Two-factor authentication</CardTitle>
      <CardBody>
        {me.data?.totpEnabled ? (
          <Form onSubmit={(event) => (event.preventDefault(), disable.mutate({ body: { password } }))}>
            <Content component="p">On: signing in asks for a code from your authenticator app.</Content>
            {disable.isError && <Alert variant="danger" isInline isPlain title={disable.error.message} />}
            <FormGroup label="Your password, to turn it off" fieldId="totp-off-password">
              <TextInput id="totp-off-password" type="password" value={password} onChange={(_e, v) => setPassword(v)} />
            </FormGroup>
            <ActionGroup>
              <Button type="submit" variant="danger" isDisabled={!password}>
                Turn off
              </Button>
            </ActionGroup>
          </Form>
        ) : !setup.data ? (
          <>
            <Content component="p">Off. Add an authenticator app (TOTP) so a password alone cannot sign in as you.</Content>
            <Button onClick={() => setup.mutate()} isDisabled={setup.isPending}>
              Set up two-factor authentication
            </Button>
          </>
        ) : (
          <Form onSubmit={(event) => (event.preventDefault(), enable.mutate({ body: { code } }))}>
            <Content component="p">
              Scan this code with your authenticator app, or enter the secret by hand, then type the 6-digit code it shows.
            </Content>
            <img src={setup.data.qrCodeDataUrl} alt="QR code for your authenticator app" width={200} height={200} />
            <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied" textAriaLabel="TOTP secret">
              {setup.data.secret}
            </ClipboardCopy>
            {enable.isError && <Alert variant="danger" isInline isPlain title={enable.error.message} />}
            <FormGroup label="Code from the app" fieldId="totp-code">
              <TextInput
                id="totp-code"
                value={code}
                inputMode="numeric"
                autoComplete="one-time-code"
                onChange={(_e, v) => setCode(v)}
              />
            </FormGroup>
            <ActionGroup>
              <Button type="submit" isDisabled={!/^\d{6}$/.test(code)}>
                Turn on
              </Button>
            </ActionGroup>
          </Form>
        )}
      </CardBody>
    </Card>
  );
}

const TOKENS_CHANGED = [['tokens']];
const tokensPage = ({ sort, limit, cursor }: ListRequest) => tokensPageQuery({ sort, limit, cursor });
const ownSessionsPage = ({ sort, limit, cursor }: ListRequest) => ownSessionsPageQuery({ sort, limit, cursor });

function TokensCard() {
  const me = useQuery(meQuery());
  const create = useApiMutation(createToken, { invalidates: TOKENS_CHANGED });
  const revoke = useApiMutation(revokeToken, { invalidates: TOKENS_CHANGED });
  const { mutate } = revoke;
  const [name, setName] = useState('');
  const held = [...new Set((me.data?.grants ?? []).filter((g) => g.scope === '/').flatMap((g) => g.permissions))] as Permission[];
  const columns = useMemo<ListColumn<TokenRow>[]>(
    () => [
      { title: 'Name', sortField: 'name', cell: (token) => token.name },
      { title: 'Expires', cell: (token) => new Date(token.expiresAt).toLocaleDateString() },
      { title: 'Last used', cell: (token) => (token.lastUsedAt ? new Date(token.lastUsedAt).toLocaleString() : 'never') },
      {
        title: '',
        screenReaderTitle: 'Actions',
        cell: (token) => (
          <Button variant="link" isDanger onClick={() => mutate({ params: { tokenId: token.id } })}>
            Revoke
          </Button>
        ),
      },
    ],
    [mutate],
  );
  return (
    <Card>
      <CardTitle>API tokens</CardTitle>
      <CardBody>
        <Form
          onSubmit={(event) => (
            event.preventDefault(),
            create.mutate({ body: { name, permissions: held } }, { onSuccess: () => setName('') })
          )}
        >
          <FormGroup label="New token name" fieldId="token-name">
            <TextInput id="token-name" value={name} onChange={(_e, v) => setName(v)} />
          </FormGroup>
          <Content component="small">
            It gets your permissions on / ({held.join(', ') || 'none'}) for 90 days; create narrower ones over the REST API.
          </Content>
          <ActionGroup>
            <Button type="submit" isDisabled={!name || !held.length || create.isPending}>
              Create token
            </Button>
          </ActionGroup>
        </Form>
        {create.data && (
          <Alert variant="warning" isInline title="Copy the token now; it is not shown again">
            <ClipboardCopy isReadOnly textAriaLabel="New API token">
              {create.data.token}
            </ClipboardCopy>
          </Alert>
        )}
        <ErrorAlert error={create.error ?? revoke.error} />
        <PagedList
          label="Your API tokens"
          noun="tokens"
          columns={columns}
          defaultSort="name"
          query={tokensPage}
          rowKey={(token) => token.id}
          empty={{ title: 'No API tokens' }}
          paramPrefix="tokens."
        />
      </CardBody>
    </Card>
  );
}

function SessionsCard() {
  const revoke = useApiMutation(revokeOwnSession, { invalidates: [['own-sessions']] });
  const { mutate } = revoke;
  const columns = useMemo<ListColumn<SessionRow & { current: boolean }>[]>(
    () => [
      {
        title: 'From',
        cell: (session) => (
          <>
            {session.sourceIp} <Content component="small">{session.userAgent.slice(0, 60)}</Content>
          </>
        ),
      },
      { title: 'Last seen', sortField: 'lastSeenAt', cell: (session) => new Date(session.lastSeenAt).toLocaleString() },
      {
        title: '',
        screenReaderTitle: 'Actions',
        cell: (session) =>
          session.current ? (
            'this one'
          ) : (
            <Button variant="link" isDanger onClick={() => mutate({ params: { sessionId: session.id } })}>
              Sign out
            </Button>
          ),
      },
    ],
    [mutate],
  );
  return (
    <Card>
      <CardTitle>Your sessions</CardTitle>
      <CardBody>
        <ErrorAlert error={revoke.error} />
        <PagedList
          label="Your sessions"
          noun="sessions"
          columns={columns}
          defaultSort="-lastSeenAt"
          query={ownSessionsPage}
          rowKey={(session) => session.id}
          empty={{ title: 'No sessions' }}
          paramPrefix="sessions."
        />
      </CardBody>
    </Card>
  );
}

export function AccountPage() {
  const me = useQuery(meQuery());
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Account</Title>
        <Content component="p">Signed in as {me.data?.user.username}.</Content>
        {me.data?.mustEnrollTotp && (
          <Alert variant="warning" isInline title="Your role requires two-factor authentication">
            Set it up below; until then the rest of Cockpit stays closed to this session.
          </Alert>
        )}
      </PageSection>
      <PageSection isFilled>
        <Gallery hasGutter minWidths={{ default: '360px' }}>
          <PasswordCard />
          <TotpCard />
          <TokensCard />
          <SessionsCard />
        </Gallery>
      </PageSection>
    </>
  );
}
