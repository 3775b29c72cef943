import { describe, expect, it } from '@jest/globals';
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AppConfig } from '@cockpit/api-config';
import { SecretBox } from '@cockpit/api-core';
import { PasswordService } from './password.service.js';
import { readCookie } from './session.service.js';
import { ThrottleService } from './throttle.service.js';
import { TotpService } from './totp.service.js';

describe('PasswordService', () => {
  const passwords = new PasswordService();

  it('hashes with argon2id at OWASP parameters and verifies', async () => {
    const hash = await passwords.hash('s3cret-passphrase');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(passwords.verify(hash, 's3cret-passphrase')).resolves.toBe(true);
    await expect(passwords.verify(hash, 'wrong')).resolves.toBe(false);
  });

  it('verifies an unknown user against a decoy (false, never a throw)', async () => {
    await expect(passwords.verify(undefined, 'anything')).resolves.toBe(false);
    await expect(passwords.verify('not a hash', 'anything')).resolves.toBe(false);
  });
});

describe('readCookie', () => {
  it('finds the named cookie among others', () => {
    expect(readCookie('a=1; cockpit_session=abc%3D; b=2', 'cockpit_session')).toBe('abc=');
    expect(readCookie('cockpit_session_other=x', 'cockpit_session')).toBeUndefined();
    expect(readCookie(undefined, 'x')).toBeUndefined();
  });

  it('answers undefined for a malformed value or header, never throws', () => {
    for (const header of [
      'cockpit_session=%',
      'cockpit_session=%E0%A4%A',
      'cockpit_session',
      ';;=',
      `cockpit_session=${'a'.repeat(300)}`,
    ])
      expect(readCookie(header, 'cockpit_session')).toBeUndefined();
    expect(readCookie('junk=%; cockpit_session=ok', 'cockpit_session')).toBe('ok');
    expect(readCookie(' cockpit_session = spaced ', 'cockpit_session')).toBe('spaced');
  });
});

describe('ThrottleService.keys', () => {
  it('counts per account (case-insensitive) and per address', () => {
    expect(ThrottleService.keys('Admin', '10.0.0.1')).toEqual(['user:admin', 'ip:10.0.0.1']);
  });
});

describe('TotpService recovery code hashes', () => {
  const totp = (config: Pick<AppConfig, 'secretKey' | 'dataDir'>) =>
    new TotpService({} as never, SecretBox.fromConfig(config), config as AppConfig);

  it('are HMAC-SHA-256 under a key derived from the secret key, never a bare SHA-256', () => {
    const secretKey = Buffer.alloc(32, 3);
    const hash = totp({ secretKey, dataDir: '/nonexistent' }).hashRecoveryCode('ABCDE-fghij');
    const key = Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'cockpit recovery codes v1', 32));
    const sha = createHash('sha256').update('abcde-fghij').digest();
    expect(hash).toBe(`h1:${createHmac('sha256', key).update(sha).digest('base64url')}`);
    expect(hash).not.toContain(sha.toString('base64url'));
    expect(totp({ secretKey: Buffer.alloc(32, 4), dataDir: '/nonexistent' }).hashRecoveryCode('abcde-fghij')).not.toBe(hash);
  });

  it('use DATA_DIR/secret.key when COCKPIT_SECRET_KEY is unset (development), the same key as the SecretBox', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cockpit-totp-'));
    const first = totp({ secretKey: undefined, dataDir }).hashRecoveryCode('abcde-fghij');
    expect(first).toMatch(/^h1:/);
    expect(totp({ secretKey: undefined, dataDir }).hashRecoveryCode('abcde-fghij')).toBe(first);
  });

  it('refuse to start when the stored TOTP secrets were sealed with another key', async () => {
    const sealed = new SecretBox(Buffer.alloc(32, 8)).seal('JBSWY3DPEHPK3PXP');
    const rows = { query: () => Promise.resolve([{ id: 'u1', totp_secret: sealed, recovery_codes: [] }]) };
    const config = { secretKey: Buffer.alloc(32, 9), dataDir: '/nonexistent' } as AppConfig;
    const service = new TotpService(rows as never, SecretBox.fromConfig(config), config);
    await expect(service.onModuleInit()).rejects.toThrow(/^Cannot read the stored TOTP secrets: Sealed with another key/);
  });
});
