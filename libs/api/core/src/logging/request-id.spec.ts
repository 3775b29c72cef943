import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestId } from './logging.module.js';

function call(header?: string) {
  const headers: Record<string, string> = {};
  const req = { headers: header === undefined ? {} : { 'x-request-id': header } } as unknown as IncomingMessage;
  const res = { setHeader: (name: string, value: string) => (headers[name] = value) } as unknown as ServerResponse;
  return { id: requestId(req, res), echoed: headers['X-Request-Id'] };
}

describe('requestId', () => {
  it('keeps a sane incoming X-Request-Id and echoes it', () => {
    expect(call('trace-123.abc')).toEqual({ id: 'trace-123.abc', echoed: 'trace-123.abc' });
  });

  it('replaces a missing or hostile one with a fresh UUID', () => {
    for (const header of [undefined, 'a b', 'x'.repeat(200), 'line\nbreak']) {
      const { id, echoed } = call(header);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(echoed).toBe(id);
    }
  });
});
