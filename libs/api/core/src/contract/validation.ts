import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';
import { parseContract, type ErrorResponse } from '@cockpit/contracts';

type Details = NonNullable<ErrorResponse['details']>;

export function issuesToDetails(where: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): Details {
  return issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

export function zodIssuesToDetails(where: string, error: z.ZodError): Details {
  return issuesToDetails(where, error.issues);
}

/** Parse `value` or answer 400 listing every invalid field (unsafe text included, see parseContract). */
export function parseOrBadRequest<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = parseContract(schema, value);
  if (result.success) return result.data;
  const details = issuesToDetails(where, result.issues);
  throw new BadRequestException({
    message: `Invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  });
}
