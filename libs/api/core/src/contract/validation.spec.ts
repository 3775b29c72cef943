import { describe, expect, it } from '@jest/globals';
import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import { toErrorResponse } from '../errors/error.filter.js';
import { parseOrBadRequest } from './validation.js';

const Body = z.object({ name: z.string().min(1), memoryMiB: z.coerce.number().int().positive() });

describe('parseOrBadRequest', () => {
  it('returns parsed, coerced values', () => {
    expect(parseOrBadRequest(Body, { name: 'vm1', memoryMiB: '512' }, 'body')).toEqual({ name: 'vm1', memoryMiB: 512 });
  });

  it('answers 400 naming every invalid field', () => {
    let thrown: unknown;
    try {
      parseOrBadRequest(Body, { name: '', memoryMiB: -1 }, 'body');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BadRequestException);
    const response = toErrorResponse(thrown);
    expect(response.statusCode).toBe(400);
    expect(response.details?.map((d) => d.path)).toEqual(['body.name', 'body.memoryMiB']);
    expect(response.message).toMatch(/^Invalid body: body\.name: .+; body\.memoryMiB: /);
  });
});
