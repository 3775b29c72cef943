import { describe, expect, it } from '@jest/globals';
import { PasswordService } from './password.service.js';
import { readCookie } from './session.service.js';
import { ThrottleService } from './throttle.service.js';

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
