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
export interface JobHandler<P = Record<string, unknown>> {
  kind: string;
  /** Targets of one group running at once (e.g. actions per host); from the job's params. */
  perGroup(params: P): number;
  /**
   * Optional: called with targets that are about to run, several at once when they start
   * together, before `run` for each: to read what their steps need in one query instead of one
   * each. A throw is only logged; `run` must cope without it.
   */
  prepare?(targets: readonly JobTargetRef[], context: TargetContext<P>): Promise<void>;
  /** Does the step; a refusal or failure is an outcome, not a throw (a throw counts as failed with its message). */
  run(target: JobTargetRef, context: TargetContext<P>): Promise<TargetOutcome>;
  /**
   * A step that was in flight when the instance running the job died: find out what happened
   * (read the target's true state) without doing it again. `retry` runs it again, for steps that
   * are safe to repeat or that provably did not happen. Without this, such a step is failed as
   * "outcome unknown".
   */
  reconcile?(target: JobTargetRef, context: TargetContext<P>): Promise<TargetOutcome | 'retry'>;
}
