import type { ErrorResponse } from '@cockpit/contracts';

type Details = ErrorResponse['details'];

/**
 * What services throw: the domain's words, not HTTP's. The error filter maps each to its status at
 * the edge, so services stay usable from jobs, sockets and the CLI alike.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;

  constructor(
    message: string,
    readonly details?: Details,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input is wrong in a way the contract could not say (400). */
export class InvalidInputError extends DomainError {
  readonly status = 400;
}
/** Who is calling is not known or not proven: no live session, a wrong password or code (401). */
export class UnauthenticatedError extends DomainError {
  readonly status = 401;
}
/** Not allowed, and the caller may know the object exists (403). */
export class ForbiddenError extends DomainError {
  readonly status = 403;
}
/** Absent, or hidden from this caller (404). */
export class NotFoundError extends DomainError {
  readonly status = 404;
}
/** The object's state refuses it: duplicate, wrong generation, a host's refusal (409). */
export class ConflictError extends DomainError {
  readonly status = 409;
}
/** The object changed since the caller read it: `If-Match` names an older generation (412). */
export class PreconditionFailedError extends DomainError {
  readonly status = 412;
}
/** Understood but cannot be done with what was given: unreachable target, wrong token (422). */
export class UnprocessableError extends DomainError {
  readonly status = 422;
}
/** Too many at once for this caller (429). */
export class TooManyRequestsError extends DomainError {
  readonly status = 429;
}
/** A host answered nonsense or could not be reached (502). */
export class HostUnavailableError extends DomainError {
  readonly status = 502;
}
/** A host did not answer in time (504). */
export class HostTimeoutError extends DomainError {
  readonly status = 504;
}
