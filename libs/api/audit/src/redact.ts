const SECRET = /pass(word)?|secret|token|totp|otp|recovery|authorization|cookie|key|^code$/i;

/** A copy of request parameters safe to keep forever: secret-looking fields become "[redacted]". */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[too deep]';
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => redact(item, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
        key,
        SECRET.test(key) ? '[redacted]' : redact(inner, depth + 1),
      ]),
    );
  }
  if (typeof value === 'string' && value.length > 2000) return `${value.slice(0, 2000)}…`;
  return value;
}
