import { Alert, LoginForm, LoginPage as PfLoginPage } from '@patternfly/react-core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useOsColorScheme } from '../theme/use-os-color-scheme.js';

type Outcome = { kind: 'error'; message: string } | { kind: 'unavailable' } | undefined;

/**
 * Sign-in form wired to POST /api/auth/login. Servers without sign-in answer 404; the page then says
 * the console is open rather than pretending credentials were checked.
 */
export function LoginPage() {
  useOsColorScheme();
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!username || !password) {
      setOutcome({ kind: 'error', message: 'Enter your username and password.' });
      return;
    }
    setBusy(true);
    setOutcome(undefined);
    try {
      const response = await fetch('/api/auth/login', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (response.ok) await navigate('/', { replace: true });
      else if (response.status === 404) setOutcome({ kind: 'unavailable' });
      else if (response.status === 401) setOutcome({ kind: 'error', message: 'Wrong username or password.' });
      else if (response.status === 429) setOutcome({ kind: 'error', message: 'Too many attempts. Wait a moment and try again.' });
      else setOutcome({ kind: 'error', message: `Sign-in failed (${response.status}). Try again.` });
    } catch {
      setOutcome({ kind: 'error', message: 'Cannot reach the Cockpit API.' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <PfLoginPage loginTitle="Sign in to Cockpit" loginSubtitle="Fleet management for Vapor hosts">
      {outcome?.kind === 'unavailable' && (
        <Alert variant="info" isInline title="Sign-in is not enabled on this server yet">
          This version has no user accounts; the console is open. <Link to="/">Go to the dashboard</Link>
        </Alert>
      )}
      <LoginForm
        showHelperText={outcome?.kind === 'error'}
        helperText={outcome?.kind === 'error' ? outcome.message : undefined}
        usernameLabel="Username"
        usernameValue={username}
        onChangeUsername={(_event, value) => setUsername(value)}
        passwordLabel="Password"
        passwordValue={password}
        onChangePassword={(_event, value) => setPassword(value)}
        isLoginButtonDisabled={busy}
        loginButtonLabel={busy ? 'Signing in…' : 'Sign in'}
        onLoginButtonClick={(event) => void submit(event)}
      />
    </PfLoginPage>
  );
}
