// Measurement: tells the engine observer (prom-client counters and histograms, logs) that a
// cycle started and finished and that a stage ran. Composed only where the figures are read:
// paper and live by default; a backtest, whose per-status cycle counts are in its result,
// when asked.

import { whenDone, type Layer } from '../compose.ts';
import type { CycleState, StageStep } from '../cycle-state.ts';
import type { CycleResult, StageResult } from '../cycle-result.ts';

/** The part of the engine observer this layer calls. */
export interface CycleMeter {
  cycleStarted?(correlationId: string): void;
  stageFinished?(correlationId: string, result: StageResult): void;
  cycleFinished?(result: CycleResult): void;
}

export function meterCycleLayer(meter: CycleMeter): Layer<CycleState> {
  return (c, next) => {
    meter.cycleStarted?.(c.correlationId);
    return whenDone(next(c), () => {
      if (c.result) meter.cycleFinished?.(c.result);
    });
  };
}

/** After a stage that ran (a skipped or blocked stage is counted with its cycle, not here). */
export function meterStageLayer(meter: CycleMeter): Layer<StageStep> {
  return (s, next) =>
    whenDone(next(s), () => {
      if (s.result && s.result.attempts > 0) meter.stageFinished?.(s.cycle.correlationId, s.result);
    });
}
