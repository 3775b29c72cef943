import { z } from 'zod';

/** `GET /v1/ping` on a Vapor agent: who answers, and which API version it speaks. */
export const VaporPing = z.object({
  agent: z.literal('vapor'),
  version: z.string(),
  apiVersion: z.literal('v1'),
});
export type VaporPing = z.infer<typeof VaporPing>;
