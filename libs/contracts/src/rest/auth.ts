import { z } from 'zod';
import { Permission, ScopePath } from '../auth/permissions.js';
import { defineRoute } from './route.js';

export const LoginRequest = z
  .object({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(1024),
    totp: z
      .string()
      .regex(/^\d{6}$/, 'a 6-digit code')
      .optional(),
    recoveryCode: z
      .string()
      .regex(/^[a-z0-9]{5}-[a-z0-9]{5}$/, 'a recovery code like abcde-12345')
      .optional(),
  })
  .meta({ id: 'LoginRequest' });
export type LoginRequest = z.infer<typeof LoginRequest>;

export const GrantSchema = z.object({ scope: ScopePath, permissions: z.array(Permission) });

export const Me = z
  .object({
    user: z.object({ id: z.uuid(), username: z.string(), displayName: z.string() }),
    /** Send back in the X-CSRF-Token header on every state-changing request. */
    csrfToken: z.string(),
    grants: z.array(GrantSchema),
    totpEnabled: z.boolean(),
    /** A role of this user requires a second factor: until enrolled, only enrollment is allowed. */
    mustEnrollTotp: z.boolean(),
    session: z.object({ expiresAt: z.iso.datetime(), idleTimeoutSeconds: z.number().int().positive() }),
  })
  .meta({ id: 'Me' });
export type Me = z.infer<typeof Me>;

export const login = defineRoute({
  id: 'login',
  method: 'post',
  path: '/api/auth/login',
  summary: 'Sign in with username and password; sets the session cookie',
  description:
    'Wrong username and wrong password answer the same 401. Repeated failures per account and per source address are slowed down (429 with Retry-After).',
  tag: 'Auth',
  access: 'public',
  body: LoginRequest,
  response: Me,
  errors: [429],
});

export const logout = defineRoute({
  id: 'logout',
  method: 'post',
  path: '/api/auth/logout',
  summary: 'End this session',
  tag: 'Auth',
  access: 'authenticated',
  response: z.object({ signedOut: z.literal(true) }),
});

export const me = defineRoute({
  id: 'getMe',
  method: 'get',
  path: '/api/auth/me',
  summary: 'Who is signed in, what they may do, and the CSRF token',
  tag: 'Auth',
  access: 'authenticated',
  response: Me,
});

export const totpSetup = defineRoute({
  id: 'setupTotp',
  method: 'post',
  path: '/api/auth/totp/setup',
  summary: 'Start enrolling a TOTP authenticator: a new secret, its otpauth URI and QR code',
  tag: 'Auth',
  access: 'authenticated',
  response: z.object({ secret: z.string(), otpauthUri: z.string(), qrCodeDataUrl: z.string() }),
  errors: [409],
});

export const totpEnable = defineRoute({
  id: 'enableTotp',
  method: 'post',
  path: '/api/auth/totp/enable',
  summary: 'Confirm enrollment with a code from the app; answers the recovery codes, once',
  tag: 'Auth',
  access: 'authenticated',
  body: z.object({ code: z.string().regex(/^\d{6}$/, 'a 6-digit code') }),
  response: z.object({ recoveryCodes: z.array(z.string()) }),
  errors: [409],
});

export const totpDisable = defineRoute({
  id: 'disableTotp',
  method: 'post',
  path: '/api/auth/totp/disable',
  summary: 'Turn the second factor off (needs your password)',
  tag: 'Auth',
  access: 'authenticated',
  body: z.object({ password: z.string().min(1).max(1024) }),
  response: z.object({ disabled: z.literal(true) }),
});
