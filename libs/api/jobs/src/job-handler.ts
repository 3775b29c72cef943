import type { JobTargetState } from '@cockpit/contracts';

/** How one target ended. */
export interface TargetOutcome {
  state: Extract<JobTargetState, 'succeeded' | 'failed' | 'skipped'>;
  message: string;
}

export interface TargetContext<P> {
  jobId: string;
  params: P;
  /** Aborted when the job is cancelled or this instance stops: give up waiting, the step's outcome is then read again. */
  signal: AbortSignal;
}

export interface JobTargetRef {
  targetId: string;
  label: string;
  group: string | null;
}

/**
 * What a kind of job does to each of its targets. The engine owns the rest: order, limits,
 * recording, progress, cancel, and taking the job over when its instance dies.
 */
/** `run` gave the step back unfinished (this instance is stopping): it stays in flight, and the next attempt reconciles it. */
export const INTERRUPTED = 'interrupted';

export interface JobHandler<P = Record<string, unknown>> {
  kind: string;
  /**
   * Jobs of this kind wait on a pg-boss queue of their own, run up to `perInstance` at once per
   * instance (long jobs that mostly wait, like migrations, would otherwise hold the shared
   * queue's few workers). Without it, the shared queue.
   */
  queue?: { name: string; perInstance: number };
  /** Targets of one group running at once (e.g. actions per host); from the job's params. */
  perGroup(params: P): number;
  /**
   * Optional: called with targets that are about to run, several at once when they start
   * together, before `run` for each: to read what their steps need in one query instead of one
   * each. A throw is only logged; `run` must cope without it.
   */
  prepare?(targets: readonly JobTargetRef[], context: TargetContext<P>): Promise<void>;
  /**
   * Does the step; a refusal or failure is an outcome, not a throw (a throw counts as failed with
   * its message). `INTERRUPTED` leaves it in flight for the next attempt (only when `signal` aborted).
   */
  run(target: JobTargetRef, context: TargetContext<P>): Promise<TargetOutcome | typeof INTERRUPTED>;
  /**
   * A step that was in flight when the instance running the job died: find out what happened
   * (read the target's true state) without doing it again. `retry` runs it again, for steps that
   * are safe to repeat or that provably did not happen. Without this, such a step is failed as
   * "outcome unknown".
   */
  reconcile?(target: JobTargetRef, context: TargetContext<P>): Promise<TargetOutcome | 'retry'>;
}
