import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { findUnsafeText, isSafeText, parseContract } from './text.js';

describe('unsafe text', () => {
  it('accepts ordinary text, emoji and well-formed surrogate pairs', () => {
    expect(isSafeText('plain')).toBe(true);
    expect(isSafeText('héllo 😀 中文')).toBe(true);
    expect(isSafeText('')).toBe(true);
  });

  it('refuses NUL and lone surrogates, high or low, anywhere', () => {
    expect(isSafeText('a\u0000b')).toBe(false);
    expect(isSafeText('\ud800')).toBe(false);
    expect(isSafeText('x\ud800y')).toBe(false);
    expect(isSafeText('\udc00')).toBe(false);
    expect(isSafeText('😀'.slice(1))).toBe(false);
    expect(isSafeText('😀'.slice(0, 1))).toBe(false);
  });

  it('names the path of each bad value and key', () => {
    const issues = findUnsafeText({ a: [{ b: 'ok' }, { c: 'bad\u0000' }], ['k\ud800']: 1 });
    expect(issues.map((issue) => issue.path)).toEqual([['a', 1, 'c'], ['k\ufffd']]);
  });

  it('parseContract refuses unsafe text before the schema runs, and passes good input through', () => {
    const schema = z.object({ name: z.string() });
    const refused = parseContract(schema, { name: 'x\u0000' });
    expect(refused).toEqual({ success: false, issues: [{ path: ['name'], message: expect.stringContaining('NUL') }] });
    expect(parseContract(schema, { name: 'x', extra: 1 })).toEqual({ success: true, data: { name: 'x' } });
    const wrong = parseContract(schema, { name: 3 });
    expect(wrong.success).toBe(false);
  });
});
