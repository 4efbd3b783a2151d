// What a stage attempt sees (the StageContext of stage-contract.ts). `signal` is the attempt's
// AbortController's, made on first use: a synchronous stage that never reads it costs none.

import type { Clock } from '../core/clock.ts';
import type { RandomSource } from '../core/random.ts';
import type { LazyAbortController } from './budget.ts';
import type { CycleTrigger, KillSwitchGuard, RunMode, StageContext, StageName, StageOutputs } from './stage-contract.ts';

export class AttemptContext implements StageContext {
  readonly #abort: LazyAbortController;

  constructor(
    readonly correlationId: string,
    readonly traceId: string,
    readonly mode: RunMode,
    readonly stage: StageName,
    readonly attempt: number,
    readonly cycleTime: number,
    readonly cycleIndex: number,
    readonly trigger: CycleTrigger,
    abort: LazyAbortController,
    readonly clock: Clock,
    readonly random: RandomSource,
    readonly kill: KillSwitchGuard,
    readonly data: Readonly<Partial<StageOutputs>>,
  ) {
    this.#abort = abort;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get aborted(): boolean {
    return this.#abort.aborted;
  }
}
