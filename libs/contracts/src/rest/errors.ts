import { z } from 'zod';

/** The one error shape every api error answers with, whatever raised it. */
export const ErrorResponse = z
  .object({
    statusCode: z.number().int().min(400).max(599),
    error: z.string().meta({ description: 'HTTP reason phrase, e.g. "Bad Request"' }),
    message: z.string().meta({ description: 'What went wrong, written for a person' }),
    details: z
      .array(
        z.object({
          path: z.string().meta({ description: 'Where the problem is, e.g. "body.memoryMiB"' }),
          message: z.string(),
        }),
      )
      .optional()
      .meta({ description: 'One entry per invalid field, when the request did not validate' }),
  })
  .meta({ id: 'ErrorResponse' });
export type ErrorResponse = z.infer<typeof ErrorResponse>;
