import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '@cockpit/api-config';

/** Injection token of the SecretBox built from COCKPIT_SECRET_KEY or DATA_DIR/secret.key. */
export const SECRET_BOX = Symbol('SECRET_BOX');

const PREFIX = 'v1:';

export class SecretBoxError extends Error {}

/**
 * Encrypts secrets Cockpit must be able to read back (agent tokens) with AES-256-GCM, so a copy of
 * the database alone does not hand out access to every host. Sealed values read
 * `v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url); the key id names which key sealed them, so a
 * wrong key is reported as such instead of as garbage.
 */
export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SecretBoxError('The secret key must be 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  /**
   * COCKPIT_SECRET_KEY when set (every instance on one database needs the same one); otherwise
   * DATA_DIR/secret.key, created with mode 600 on first start (what `npm start` uses).
   */
  static fromConfig(config: Pick<AppConfig, 'secretKey' | 'dataDir'>): SecretBox {
    if (config.secretKey) return new SecretBox(config.secretKey);
    const file = path.join(config.dataDir, 'secret.key');
    try {
      return new SecretBox(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    mkdirSync(config.dataDir, { recursive: true });
    try {
      // wx: of instances starting together on one DATA_DIR, one writes and the others read it.
      writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
      chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return new SecretBox(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [PREFIX + this.keyId, iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join(':');
  }

  open(sealed: string): string {
    if (!SecretBox.isSealed(sealed)) throw new SecretBoxError('Not a sealed value');
    const [, keyId, iv, tag, body] = sealed.split(':');
    if (keyId !== this.keyId)
      throw new SecretBoxError(
        `Sealed with another key (${keyId ?? '?'}, this instance has ${this.keyId}): give every api instance the same COCKPIT_SECRET_KEY`,
      );
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv ?? '', 'base64url'));
    decipher.setAuthTag(Buffer.from(tag ?? '', 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body ?? '', 'base64url')), decipher.final()]).toString('utf8');
  }
}
