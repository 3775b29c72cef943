import type { Me } from '@cockpit/contracts';
import { canSomewhere } from '@cockpit/console-access';

/**
 * Why Cancel is not offered, if it is not. The api allows it with job.cancel on the job's scope, or
 * to its actor holding job.cancel anywhere; a job's scope may sit under a host or cluster the
 * console cannot see from here, so holding job.cancel anywhere is enough to offer it and the api
 * has the last word (its refusal is shown).
 */
export function cancelRefusal(me: Me | null | undefined): string | undefined {
  return canSomewhere(me, 'job.cancel') ? undefined : 'Cancelling a job needs the job.cancel permission';
}
