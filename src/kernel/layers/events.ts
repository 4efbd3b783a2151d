// The cycle's events on the bus (L2-08 §8): `ordinis.ops.cycle.started` before the first
// stage, `.cycle.completed` with the outcome, and `.stage.failed` for each stage that failed.
// (The gates emit `.kill.block` and `.data.stale`, the budget `.cycle.timeout`, the hooks
// `.hook.error`: each where the thing happens.) Composed when the mode hands the engine an
// event port.

import { whenDone, type Layer } from '../compose.ts';
import { eventMeta, type CycleState, type StageStep } from '../cycle-state.ts';
import { toRfc3339 } from '../../core/clock.ts';
import type { EventEmitterPort } from '../../bus/contract.ts';

export function cycleEventsLayer(events: EventEmitterPort): Layer<CycleState> {
  return (c, next) => {
    events.emit('ordinis.ops.cycle.started', { correlation_id: c.correlationId, mode: c.mode, trigger: c.trigger.kind, cycle_time: toRfc3339(c.cycleTime) }, eventMeta(c));
    return whenDone(next(c), () => {
      const r = c.result;
      if (!r) return;
      events.emit(
        'ordinis.ops.cycle.completed',
        { correlation_id: c.correlationId, status: r.status, block_reason: r.blockReason, duration_ms: r.durationMs, error_codes: r.errors.map((e) => e.code) },
        eventMeta(c),
      );
    });
  };
}

export function stageEventsLayer(events: EventEmitterPort): Layer<StageStep> {
  return (s, next) =>
    whenDone(next(s), () => {
      const err = s.error;
      if (!err || !s.result) return;
      events.emit(
        'ordinis.ops.stage.failed',
        { correlation_id: s.cycle.correlationId, stage: s.spec.name, error_code: err.code, attempts: s.result.attempts, message: err.message },
        eventMeta(s.cycle),
      );
    });
}
