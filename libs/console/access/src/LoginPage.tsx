import {
  Alert,
  Form,
  FormGroup,
  LoginForm,
  LoginPage as PfLoginPage,
  TextInput,
  ActionGroup,
  Button,
} from '@patternfly/react-core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ErrorResponse, login } from '@cockpit/contracts';
import { ApiError, meQuery, setCsrfToken, useApiMutation } from '@cockpit/console-api';

type Step = 'password' | 'second-factor';

/** Sign-in: username and password, then (when the account has one) the authenticator code. */
export function LoginPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const queryClient = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<Step>('password');
  const [error, setError] = useState<string>();
  const signIn = useApiMutation(login, {
    onSuccess: async (me) => {
      setCsrfToken(me.csrfToken);
      queryClient.setQueryData(meQuery().queryKey, me);
      const next = params.get('next');
      await navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    },
    onError: (caught) => {
      if (
        caught instanceof ApiError &&
        caught.status === 401 &&
        ErrorResponse.safeParse(caught.body).data?.details?.some((d) => d.path === 'body.totp')
      ) {
        setStep('second-factor');
        setError(undefined);
      } else if (caught instanceof ApiError && caught.status === 401) {
        setError(step === 'second-factor' ? 'Wrong code.' : 'Wrong username or password.');
      } else if (caught instanceof ApiError && caught.status === 429) {
        setError(caught.message);
      } else {
        setError('Cannot reach the Cockpit API.');
      }
    },
  });
  const busy = signIn.isPending;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!username || !password) {
      setError('Enter your username and password.');
      return;
    }
    setError(undefined);
    const secondFactor =
      step === 'second-factor' ? (/^\d{6}$/.test(code) ? { totp: code } : { recoveryCode: code.trim().toLowerCase() }) : {};
    signIn.mutate({ body: { username, password, ...secondFactor } });
  }

  return (
    <PfLoginPage loginTitle="Sign in to Cockpit" loginSubtitle="Fleet management for Vapor hosts">
      {step === 'password' ? (
        <LoginForm
          showHelperText={!!error}
          helperText={error}
          usernameLabel="Username"
          usernameValue={username}
          onChangeUsername={(_event, value) => setUsername(value)}
          passwordLabel="Password"
          passwordValue={password}
          onChangePassword={(_event, value) => setPassword(value)}
          isLoginButtonDisabled={busy}
          loginButtonLabel={busy ? 'Signing in…' : 'Sign in'}
          onLoginButtonClick={submit}
        />
      ) : (
        <Form onSubmit={submit}>
          {error && <Alert variant="danger" isInline isPlain title={error} />}
          <FormGroup label="Authenticator code" fieldId="totp" isRequired>
            <TextInput
              id="totp"
              name="totp"
              value={code}
              autoComplete="one-time-code"
              inputMode="numeric"
              autoFocus
              onChange={(_event, value) => setCode(value)}
              aria-describedby="totp-help"
            />
            <p id="totp-help">The 6-digit code from your authenticator app, or one of your recovery codes.</p>
          </FormGroup>
          <ActionGroup>
            <Button type="submit" isDisabled={busy || !code}>
              {busy ? 'Checking…' : 'Verify'}
            </Button>
          </ActionGroup>
        </Form>
      )}
    </PfLoginPage>
  );
}
