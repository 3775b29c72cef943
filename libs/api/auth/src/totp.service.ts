import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { Repository } from 'typeorm';
import type { AppConfig } from '@cockpit/api-config';
import { APP_CONFIG, SECRET_BOX, SecretBox } from '@cockpit/api-core';
import { UserEntity } from './entities/user.entity.js';

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
/** Recovery code hashes: `h1:` + base64url(HMAC-SHA-256(server key, SHA-256(code))). */
const HASH_PREFIX = 'h1:';

/**
 * The key recovery codes are hashed with: derived (HKDF-SHA-256) from the key the SecretBox
 * seals with, so a copy of the database alone cannot test guesses. The SecretBox keeps its key to
 * itself, so it is read the way SecretBox.fromConfig reads it, and checked to be the same one.
 */
function recoveryKey(config: Pick<AppConfig, 'secretKey' | 'dataDir'>, box: SecretBox): Buffer {
  const key = config.secretKey ?? Buffer.from(readFileSync(path.join(config.dataDir, 'secret.key'), 'utf8').trim(), 'base64');
  if (new SecretBox(key).keyId !== box.keyId) throw new Error('The recovery code key is not the SecretBox key');
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'cockpit recovery codes v1', 32));
}

/**
 * RFC 6238 codes (30 s steps, one step of clock drift allowed) and single-use recovery codes.
 * Secrets are sealed at rest with the SecretBox; recovery codes are kept as keyed hashes.
 */
@Injectable()
export class TotpService implements OnModuleInit {
  private readonly key: Buffer;

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.key = recoveryKey(config, box);
  }

  /**
   * Data from before sealing: plaintext secrets are sealed and bare SHA-256 recovery hashes are
   * re-keyed (the HMAC is taken over that SHA-256, so no code is needed). Each row changes only if
   * nobody changed it meanwhile. One secret sealed before is opened: with the wrong key the api refuses to start.
   */
  async onModuleInit(): Promise<void> {
    const rows = (await this.users.query(
      `SELECT id, totp_secret, recovery_codes FROM users WHERE totp_secret IS NOT NULL OR cardinality(recovery_codes) > 0`,
    )) as { id: string; totp_secret: string | null; recovery_codes: string[] }[];
    for (const row of rows) {
      const secret = row.totp_secret && !SecretBox.isSealed(row.totp_secret) ? this.box.seal(row.totp_secret) : row.totp_secret;
      const codes = row.recovery_codes.map((hash) =>
        hash.startsWith(HASH_PREFIX) ? hash : this.keyed(Buffer.from(hash, 'base64url')),
      );
      if (secret === row.totp_secret && codes.every((c, i) => c === row.recovery_codes[i])) continue;
      await this.users.query(
        `UPDATE users SET totp_secret = $2, recovery_codes = $3
         WHERE id = $1 AND totp_secret IS NOT DISTINCT FROM $4 AND recovery_codes = $5`,
        [row.id, secret, codes, row.totp_secret, row.recovery_codes],
      );
    }
    const sample = rows.find((row) => row.totp_secret && SecretBox.isSealed(row.totp_secret))?.totp_secret;
    if (sample) {
      try {
        this.open(sample);
      } catch (error) {
        throw new Error(`Cannot read the stored TOTP secrets: ${(error as Error).message}`);
      }
    }
  }

  /** A new secret: in clear for the user to scan, sealed for the database. */
  newSecret(): { secret: string; sealed: string } {
    const secret = generateSecret();
    return { secret, sealed: this.box.seal(secret) };
  }

  open(sealed: string): string {
    return this.box.open(sealed);
  }

  uri(username: string, secret: string): string {
    return generateURI({ issuer: 'Cockpit', label: username, secret });
  }

  qrCode(uri: string): Promise<string> {
    return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 1, width: 240 });
  }

  /** The accepted time step, or undefined. Codes at or before `lastStep` are refused (replay). */
  async check(sealedSecret: string, code: string, lastStep: number | null): Promise<number | undefined> {
    const result = await verify({
      secret: this.open(sealedSecret),
      token: code,
      epochTolerance: 30,
      ...(lastStep === null ? {} : { afterTimeStep: lastStep }),
    });
    if (!result.valid) return undefined;
    // The matched step: from the result where the strategy reports it, else from now and the drift.
    const reported = (result as { timeStep?: number }).timeStep;
    return reported ?? Math.floor(Date.now() / 30_000) + result.delta;
  }

  /**
   * The sign-in's second factor: a TOTP code whose step is claimed atomically (of racing
   * sign-ins with one code exactly one wins), or an unused recovery code, spent atomically.
   */
  async verifySecondFactor(user: UserEntity, code: string | undefined, recoveryCode: string | undefined): Promise<boolean> {
    if (code && user.totpSecret) {
      const step = await this.check(user.totpSecret, code, user.totpLastStep === null ? null : Number(user.totpLastStep));
      if (step === undefined) return false;
      // TypeORM answers an UPDATE ... RETURNING on PostgreSQL as [rows, affected count].
      const [claimed] = (await this.users.query(
        'UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id',
        [user.id, step],
      )) as [unknown[], number];
      return claimed.length > 0;
    }
    if (recoveryCode) {
      const [spent] = (await this.users.query(
        'UPDATE users SET recovery_codes = array_remove(recovery_codes, $2) WHERE id = $1 AND $2 = ANY(recovery_codes) RETURNING id',
        [user.id, this.hashRecoveryCode(recoveryCode)],
      )) as [unknown[], number];
      return spent.length > 0;
    }
    return false;
  }

  recoveryCodes(): { codes: string[]; hashes: string[] } {
    const codes = Array.from({ length: 10 }, () => {
      const bytes = randomBytes(10);
      const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
      return `${chars.slice(0, 5)}-${chars.slice(5, 10)}`;
    });
    return { codes, hashes: codes.map((code) => this.hashRecoveryCode(code)) };
  }

  hashRecoveryCode(code: string): string {
    return this.keyed(createHash('sha256').update(code.toLowerCase()).digest());
  }

  private keyed(digest: Buffer): string {
    return HASH_PREFIX + createHmac('sha256', this.key).update(digest).digest('base64url');
  }
}
