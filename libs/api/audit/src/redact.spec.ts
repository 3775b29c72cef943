import { describe, expect, it } from '@jest/globals';
import { AUDIT_LIMITS, redact } from './redact.js';

describe('redact', () => {
  it('hides secret-looking fields at any depth and keeps the rest', () => {
    expect(
      redact({
        username: 'admin',
        password: 'hunter2',
        nested: { newPassword: 'x', apiToken: 'y', totp: '123456', code: '654321', name: 'vm1' },
        list: [{ secret: 's', keep: 1 }],
      }),
    ).toEqual({
      username: 'admin',
      password: '[redacted]',
      nested: { newPassword: '[redacted]', apiToken: '[redacted]', totp: '[redacted]', code: '[redacted]', name: 'vm1' },
      list: [{ secret: '[redacted]', keep: 1 }],
    });
  });

  it('bounds what it keeps: long strings, long lists, deep nesting, many keys', () => {
    expect((redact('x'.repeat(5000)) as string).length).toBe(2001);
    expect((redact(Array.from({ length: 500 }, (_, i) => i)) as unknown[]).length).toBe(101);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20; i++) deep = { deeper: deep };
    expect(JSON.stringify(redact(deep))).toContain('[too deep]');
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(redact(wide) as object)).toHaveLength(AUDIT_LIMITS.keysPerObject + 1);
  });

  it('makes text storable: NUL and lone surrogates in values and keys become U+FFFD', () => {
    const out = redact({ ['bad\u0000name']: 'a\u0000b', lone: '\ud800x', pair: '😀' });
    expect(out).toEqual({ 'bad\ufffdname': 'a\ufffdb', lone: '\ufffdx', pair: '😀' });
    expect(JSON.stringify(out)).not.toMatch(/\\u0000|\\ud800/);
  });

  it('keeps __proto__ and constructor keys as plain data without touching prototypes', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}') as unknown;
    const out = redact(hostile) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('replaces a value over the byte budget by a note and a preview', () => {
    const big = { items: Array.from({ length: 90 }, () => 'y'.repeat(1500)) };
    const out = redact(big) as Record<string, unknown>;
    expect(out['[truncated]']).toMatch(/bytes$/);
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThan(AUDIT_LIMITS.totalBytes);
  });

  it('turns values JSON cannot hold into storable ones', () => {
    expect(redact({ n: Number.POSITIVE_INFINITY, u: undefined, d: new Date(0) })).toEqual({
      n: 'Infinity',
      u: null,
      d: '1970-01-01T00:00:00.000Z',
    });
  });
});
