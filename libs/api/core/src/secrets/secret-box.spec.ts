import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.alloc(32, 7));

  it('seals so that only the same key opens, and never shows the plain text', () => {
    const sealed = box.seal('agent-token-0123456789');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('agent-token');
    expect(box.seal('agent-token-0123456789')).not.toBe(sealed); // fresh IV each time
    expect(box.open(sealed)).toBe('agent-token-0123456789');
  });

  it('says so when another key sealed the value, and refuses tampering', () => {
    const sealed = box.seal('secret');
    expect(() => new SecretBox(Buffer.alloc(32, 8)).open(sealed)).toThrow(/same COCKPIT_SECRET_KEY/);
    const parts = sealed.split(':');
    parts[4] = Buffer.from('other').toString('base64url');
    expect(() => box.open(parts.join(':'))).toThrow();
  });

  it('creates DATA_DIR/secret.key once (mode 600) and reads it back', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'secret-box-'));
    const first = SecretBox.fromConfig({ dataDir, secretKey: undefined });
    const again = SecretBox.fromConfig({ dataDir, secretKey: undefined });
    expect(again.keyId).toBe(first.keyId);
    expect(again.open(first.seal('x'))).toBe('x');
    expect(statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim(), 'base64')).toHaveLength(32);
  });
});
