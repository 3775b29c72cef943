import { replaceUnsafeText } from '@cockpit/contracts';

const SECRET = /pass(word)?|secret|token|totp|otp|recovery|authorization|cookie|key|^code$/i;

export const AUDIT_LIMITS = {
  depth: 6,
  keysPerObject: 50,
  itemsPerArray: 100,
  stringChars: 2000,
  keyChars: 100,
  /** Over this the whole params value is replaced by a note and a short preview. */
  totalBytes: 16 * 1024,
} as const;

/** Text safe for PostgreSQL text and jsonb: NUL and lone surrogates become U+FFFD, length bounded. */
export function safeText(value: string, max: number = AUDIT_LIMITS.stringChars): string {
  const clean = replaceUnsafeText(value);
  // Cutting inside a surrogate pair would leave a lone half: cut again through the same check.
  return clean.length > max ? `${replaceUnsafeText(clean.slice(0, max))}…` : clean;
}

/**
 * A copy of request parameters safe to keep forever and to store: secret-looking fields become
 * "[redacted]"; text is made storable (NUL, lone surrogates); keys, depth, list lengths and the
 * total size are bounded, so even a hostile refused request leaves a record that can be written.
 */
export function redact(value: unknown): unknown {
  const copy = redactNode(value, 0);
  const bytes = Buffer.byteLength(JSON.stringify(copy) ?? '');
  if (bytes <= AUDIT_LIMITS.totalBytes) return copy;
  return { '[truncated]': `${bytes} bytes`, preview: safeText(JSON.stringify(copy), 1000) };
}

function redactNode(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return safeText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value === 'boolean') return value;
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return null;
  if (depth >= AUDIT_LIMITS.depth) return '[too deep]';
  if (Array.isArray(value)) {
    const kept = value.slice(0, AUDIT_LIMITS.itemsPerArray).map((item) => redactNode(item, depth + 1));
    if (value.length > AUDIT_LIMITS.itemsPerArray) kept.push(`[${value.length - AUDIT_LIMITS.itemsPerArray} more]`);
    return kept;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  // A null-prototype object, so keys such as __proto__ are plain data here.
  const out = Object.create(null) as Record<string, unknown>;
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [key, inner] of entries.slice(0, AUDIT_LIMITS.keysPerObject)) {
    out[safeText(key, AUDIT_LIMITS.keyChars)] = SECRET.test(key) ? '[redacted]' : redactNode(inner, depth + 1);
  }
  if (entries.length > AUDIT_LIMITS.keysPerObject) out['[more keys]'] = entries.length - AUDIT_LIMITS.keysPerObject;
  return out;
}
