import type { z } from 'zod';

/**
 * Text that every contract refuses, wherever it appears (values and object keys alike):
 * NUL cannot be stored in PostgreSQL text or jsonb, and a lone UTF-16 surrogate has no UTF-8 form
 * (PostgreSQL rejects it in jsonb, and it turns into U+FFFD elsewhere). Checked once at every
 * parse site (REST, socket messages, the Vapor API both ways) rather than per schema, so no string
 * field can be forgotten.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT_ALL = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function isSafeText(value: string): boolean {
  return !UNSAFE_TEXT.test(value);
}

/** The same text with each NUL and lone surrogate replaced by U+FFFD (for logs and audit records). */
export function replaceUnsafeText(value: string): string {
  return isSafeText(value) ? value : value.replace(UNSAFE_TEXT_ALL, '\ufffd');
}

export interface UnsafeTextIssue {
  path: (string | number)[];
  message: string;
}

const MAX_WALK_DEPTH = 64;

/** Every string (and object key) in `value` holding NUL or a lone surrogate, with its path. */
export function findUnsafeText(value: unknown, limit = 20): UnsafeTextIssue[] {
  const issues: UnsafeTextIssue[] = [];
  const walk = (node: unknown, path: (string | number)[], depth: number): void => {
    if (issues.length >= limit) return;
    if (typeof node === 'string') {
      if (!isSafeText(node)) issues.push({ path, message: describe(node) });
      return;
    }
    if (!node || typeof node !== 'object' || depth > MAX_WALK_DEPTH) return;
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, [...path, index], depth + 1));
      return;
    }
    for (const [key, inner] of Object.entries(node as Record<string, unknown>)) {
      if (!isSafeText(key)) issues.push({ path: [...path, printableKey(key)], message: `key ${describe(key)}` });
      walk(inner, [...path, printableKey(key)], depth + 1);
    }
  };
  walk(value, [], 0);
  return issues;
}

function describe(text: string): string {
  return text.includes('\u0000')
    ? 'must not contain a NUL character (\\u0000)'
    : 'must not contain a lone UTF-16 surrogate (invalid Unicode)';
}

/** A key safe to print in an error path. */
function printableKey(key: string): string {
  return replaceUnsafeText(key);
}

export type ContractParseResult<T> =
  { success: true; data: T } | { success: false; issues: { path: (string | number)[]; message: string }[] };

/**
 * The one way our code parses input against a contract: refuses unsafe text anywhere in the value,
 * then applies the schema. Issues carry the path of each offending field.
 */
export function parseContract<T extends z.ZodType>(schema: T, value: unknown): ContractParseResult<z.output<T>> {
  const unsafe = findUnsafeText(value);
  if (unsafe.length > 0) return { success: false, issues: unsafe };
  const result = schema.safeParse(value);
  if (result.success) return { success: true, data: result.data };
  return {
    success: false,
    issues: result.error.issues.map((issue) => ({
      path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
      message: issue.message,
    })),
  };
}
