import type { z } from 'zod';

/** A route's query as handlers get it: parsed by the contract interceptor, defaults applied. */
export type ParsedQuery<R> = R extends { query?: infer Q } ? (Q extends z.ZodType ? z.output<Q> : never) : never;

/** A route's body as handlers get it: parsed, defaults applied. */
export type ParsedBody<R> = R extends { body?: infer B } ? (B extends z.ZodType ? z.output<B> : never) : never;
