import { describe, expect, it } from '@jest/globals';
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { ErrorResponse } from '@cockpit/contracts';
import {
  ConflictError,
  ForbiddenError,
  HostTimeoutError,
  HostUnavailableError,
  InvalidInputError,
  NotFoundError,
  TooManyRequestsError,
  UnauthenticatedError,
  UnprocessableError,
} from './domain-errors.js';
import { routeOf, toErrorResponse } from './error.filter.js';

describe('toErrorResponse', () => {
  it('keeps the message of an HttpException', () => {
    expect(toErrorResponse(new NotFoundException('Host 7 not found'))).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Host 7 not found',
    });
  });

  it('carries validation details', () => {
    const body = toErrorResponse(
      new BadRequestException({ message: 'Invalid body', details: [{ path: 'body.name', message: 'Required' }] }),
    );
    expect(body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Invalid body',
      details: [{ path: 'body.name', message: 'Required' }],
    });
    expect(ErrorResponse.parse(body)).toEqual(body);
  });

  it('explains body-parser failures', () => {
    expect(toErrorResponse(Object.assign(new Error('x'), { status: 400, type: 'entity.parse.failed' }))).toMatchObject({
      statusCode: 400,
      message: 'Request body is not valid JSON',
    });
    expect(toErrorResponse(Object.assign(new Error('x'), { status: 413, type: 'entity.too.large' }))).toMatchObject({
      statusCode: 413,
      error: 'Payload Too Large',
    });
  });

  it('never leaks the text of an unexpected error', () => {
    const body = toErrorResponse(new Error('password=hunter2 in connection string'));
    expect(body.statusCode).toBe(500);
    expect(body.message).not.toContain('hunter2');
  });

  it('joins Nest-style message arrays', () => {
    expect(toErrorResponse(new ConflictException(['a', 'b'])).message).toBe('a; b');
  });
});

describe('routeOf', () => {
  it('finds the contract a request was for by method and path, parameters included', () => {
    expect(routeOf({ method: 'PATCH', path: '/api/users/00000000-0000-4000-8000-000000000000' })?.id).toBe('updateUser');
    expect(routeOf({ method: 'POST', path: '/api/users' })?.id).toBe('createUser');
    expect(routeOf({ method: 'GET', path: '/api/users' })?.id).toBe('listUsers');
    expect(routeOf({ method: 'POST', path: '/api/nothing-here' })).toBeUndefined();
  });
});

describe('domain errors', () => {
  it.each([
    [new InvalidInputError('bad'), 400],
    [new UnauthenticatedError('who are you'), 401],
    [new ForbiddenError('no'), 403],
    [new NotFoundError('gone'), 404],
    [new ConflictError('busy'), 409],
    [new UnprocessableError('cannot'), 422],
    [new TooManyRequestsError('slow down'), 429],
    [new HostUnavailableError('host away'), 502],
    [new HostTimeoutError('host slow'), 504],
  ])('maps %s to its status with its message', (error, status) => {
    expect(toErrorResponse(error)).toEqual({
      statusCode: status,
      error: expect.any(String) as unknown as string,
      message: error.message,
    });
  });

  it('answers the same body as the HTTP exception it replaces, details included', () => {
    const details = [{ path: 'body.totp', message: 'required' }];
    expect(toErrorResponse(new UnauthenticatedError('Enter the code', details))).toEqual(
      toErrorResponse(new UnauthorizedException({ message: 'Enter the code', details })),
    );
    expect(toErrorResponse(new TooManyRequestsError('Too many'))).toEqual(
      toErrorResponse(new HttpException('Too many', HttpStatus.TOO_MANY_REQUESTS)),
    );
    expect(toErrorResponse(new ForbiddenError('no'))).toEqual(toErrorResponse(new ForbiddenException('no')));
  });
});
