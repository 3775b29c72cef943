import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { Writable } from 'node:stream';
import { QueryFailedError } from 'typeorm';
import { scrubError } from './scrub-error.js';

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0c2FsdA$aGFzaGhhc2hoYXNo';

function failedQuery(): QueryFailedError {
  const driverError = Object.assign(new Error('duplicate key value violates unique constraint "UQ_token_hash"'), {
    code: '23505',
    detail: `Key (token_hash)=(${HASH}) already exists.`,
    parameters: [HASH],
  });
  return new QueryFailedError('INSERT INTO api_tokens (token_hash) VALUES ($1)', [HASH], driverError);
}

describe('scrubError', () => {
  it('drops the values a failed query carries and keeps what one debugs with', () => {
    const scrubbed = scrubError(failedQuery()) as Record<string, unknown>;
    expect(JSON.stringify(scrubbed)).not.toContain(HASH);
    expect(scrubbed).toMatchObject({
      type: 'QueryFailedError',
      message: expect.stringContaining('duplicate key') as unknown as string,
      query: 'INSERT INTO api_tokens (token_hash) VALUES ($1)',
      code: '23505',
    });
  });

  it('scrubs causes too, and leaves non-errors alone', () => {
    const wrapped = new Error('enrolling failed', { cause: failedQuery() });
    expect(JSON.stringify(scrubError(wrapped))).not.toContain(HASH);
    expect(scrubError('plain')).toBe('plain');
  });

  it('keeps the values out of a real pino log line (positive control: the raw serializer would print them)', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    pino({ serializers: { err: scrubError } }, sink).error({ err: failedQuery() }, 'boom');
    pino({}, sink).error({ err: failedQuery() }, 'boom');
    expect(lines[0]).not.toContain(HASH);
    expect(lines[1]).toContain(HASH);
  });
});
