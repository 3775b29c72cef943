import { describe, expect, it } from '@jest/globals';
import { redact } from './redact.js';

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

  it('bounds what it keeps: long strings, long lists, deep nesting', () => {
    expect((redact('x'.repeat(5000)) as string).length).toBe(2001);
    expect((redact(Array.from({ length: 500 }, (_, i) => i)) as unknown[]).length).toBe(100);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20; i++) deep = { deeper: deep };
    expect(JSON.stringify(redact(deep))).toContain('[too deep]');
  });
});
