import { describe, expect, it } from '@jest/globals';
import { definePlugin } from './plugin.js';

describe('definePlugin', () => {
  it('accepts and freezes a valid manifest', () => {
    const plugin = definePlugin({ name: 'host-labels', version: '1.0.0', description: 'Labels on hosts' });
    expect(plugin.name).toBe('host-labels');
    expect(Object.isFrozen(plugin)).toBe(true);
  });

  it.each([
    [{ name: 'Bad Name', version: '1.0.0', description: 'x' }, /must be 3-40 lower-case/],
    [{ name: 'ok-name', version: 'one', description: 'x' }, /not a semantic version/],
    [{ name: 'ok-name', version: '1.0.0', description: ' ' }, /description is empty/],
  ])('rejects %j', (manifest, message) => {
    expect(() => definePlugin(manifest)).toThrow(message);
  });
});
