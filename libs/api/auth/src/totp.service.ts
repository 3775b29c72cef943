import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** RFC 6238 codes (30 s steps, one step of clock drift allowed) and single-use recovery codes. */
@Injectable()
export class TotpService {
  newSecret(): string {
    return generateSecret();
  }

  uri(username: string, secret: string): string {
    return generateURI({ issuer: 'Cockpit', label: username, secret });
  }

  qrCode(uri: string): Promise<string> {
    return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 1, width: 240 });
  }

  /** The accepted time step, or undefined. Codes at or before `lastStep` are refused (replay). */
  async check(secret: string, code: string, lastStep: number | null): Promise<number | undefined> {
    const result = await verify({
      secret,
      token: code,
      epochTolerance: 30,
      ...(lastStep === null ? {} : { afterTimeStep: lastStep }),
    });
    if (!result.valid) return undefined;
    // The matched step: from the result where the strategy reports it, else from now and the drift.
    const reported = (result as { timeStep?: number }).timeStep;
    return reported ?? Math.floor(Date.now() / 30_000) + result.delta;
  }

  recoveryCodes(): { codes: string[]; hashes: string[] } {
    const codes = Array.from({ length: 10 }, () => {
      const bytes = randomBytes(10);
      const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
      return `${chars.slice(0, 5)}-${chars.slice(5, 10)}`;
    });
    return { codes, hashes: codes.map(sha256) };
  }

  hashRecoveryCode(code: string): string {
    return sha256(code.toLowerCase());
  }
}
