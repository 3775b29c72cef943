import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';
import type { ErrorResponse } from '@cockpit/contracts';

type Details = NonNullable<ErrorResponse['details']>;

export function zodIssuesToDetails(where: string, error: z.ZodError): Details {
  return error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/** Parse `value` or answer 400 listing every invalid field. */
export function parseOrBadRequest<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = zodIssuesToDetails(where, result.error);
  throw new BadRequestException({
    message: `Invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  });
}
