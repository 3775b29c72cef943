import { stdSerializers } from 'pino';

/** Fields of database errors that carry the statement's values (password and token hashes, secrets). */
const VALUE_FIELDS = ['parameters', 'driverError', 'detail', 'where', 'internalQuery'] as const;
const MAX_CAUSES = 5;

type SerializedError = Record<string, unknown>;

/**
 * pino's error serializer without the values a failed query carries: TypeORM's QueryFailedError
 * holds `parameters` (e.g. a password hash being written) and PostgreSQL's `detail` repeats the
 * offending key's value ("Key (token_hash)=(...) already exists"). The statement text and the
 * error code stay: they are what one debugs with.
 */
export function scrubError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  return scrub(stdSerializers.err(error) as unknown as SerializedError, 0);
}

function scrub(serialized: SerializedError, depth: number): SerializedError {
  const out: SerializedError = { ...serialized };
  for (const field of VALUE_FIELDS) if (field in out) delete out[field];
  const cause = out['cause'];
  if (cause && typeof cause === 'object' && depth < MAX_CAUSES) out['cause'] = scrub(cause as SerializedError, depth + 1);
  return out;
}
