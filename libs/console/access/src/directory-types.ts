import type { ApiToken, Group, Role, RoleBinding, SessionInfo } from '@cockpit/contracts';
import type { z } from 'zod';

// The contracts export these schemas without their types.
export type GroupRow = z.infer<typeof Group>;
export type RoleRow = z.infer<typeof Role>;
export type RoleBindingRow = z.infer<typeof RoleBinding>;
export type SessionRow = z.infer<typeof SessionInfo>;
export type TokenRow = z.infer<typeof ApiToken>;
