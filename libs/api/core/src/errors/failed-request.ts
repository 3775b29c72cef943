import type { Request } from 'express';
import type { RouteDef } from '@cockpit/contracts';

/**
 * Records a state-changing request that failed or was refused, whatever refused it (body parser,
 * guard, validation, handler): the error filter calls it once per such request, after any
 * transaction has rolled back. Implemented by the audit module; core only knows the seam.
 */
export interface FailedRequestRecorder {
  record(request: Request, def: RouteDef | undefined, status: number): Promise<void>;
}

export const FAILED_REQUEST_RECORDER = Symbol('FAILED_REQUEST_RECORDER');
