import type { Request } from 'express';
import type { Grant } from '@cockpit/contracts';

/** Who is calling: a signed-in user (session cookie) or an API token, with what they may do. */
export interface Principal {
  type: 'user' | 'token';
  /** The user's id (also for a token: the user who owns it). */
  userId: string;
  name: string;
  grants: Grant[];
  tokenId?: string;
  sessionIdHash?: string;
}

export type RequestWithPrincipal = Request & { principal?: Principal };
