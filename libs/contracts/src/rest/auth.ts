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
