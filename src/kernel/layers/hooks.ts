// Governance at a stage's boundary: the registered hooks (HOOK/GOV preflight) may allow the
// stage, deny it, or allow it with a patch that narrows an earlier stage's output, applied as
// the stage's spec declares (EXEC: RISK's order quantities). A denied stage blocks the
// cycle's trading path; a denied closing stage (one that runs even after failures: AUDIT)
// cannot be skipped quietly, so the cycle fails, and a fail-closed one trips the kill switch.
// Composed when the mode has a hook manager; a stage without hooks passes straight through.

import { OrdinisError, errorInfo } from '../../errors.ts';
import { performance } from 'node:perf_hooks';
import { thenMaybe } from '../../core/maybe-async.ts';
import type { Layer } from '../compose.ts';
import { eventMeta, notRun, type StageStep } from '../cycle-state.ts';
import type { HookManager } from '../../governance/hooks/hook-manager.ts';
import type { EventEmitterPort } from '../../bus/contract.ts';
import type { StageOutputs } from '../stage-contract.ts';

export function hooksLayer(hooks: HookManager, events: EventEmitterPort | undefined): Layer<StageStep> {
  return (s, next) => {
    const name = s.spec.name;
    if (!hooks.has(name)) return next(s);
    const c = s.cycle;
    const pending = hooks.runBoundary({ stage: name, correlationId: c.correlationId, cycleTime: c.cycleTime, data: c.data, signal: new AbortController().signal });
    return thenMaybe(pending, (boundary) => {
      // The hooks' time is not the stage's.
      s.now = performance.now();
      for (const w of boundary.warnings) {
        events?.emit('ordinis.ops.hook.error', { correlation_id: c.correlationId, stage: name, hook_id: w.hookId, outcome: w.outcome, reasons: w.reasons }, eventMeta(c));
      }
      if (!boundary.allowed) {
        const reason = `hook ${boundary.blockedBy!.hookId} denied ${name}: ${boundary.blockedBy!.reason}`;
        c.errors.push(errorInfo(new OrdinisError('E_HOOK_DENIED', reason), name));
        if (s.spec.runsAfterFailure) {
          c.failed = true;
          c.killAtEnd = s.spec.failureMode === 'fail_closed';
        } else if (c.blockReason === null) {
          c.blockReason = reason;
          c.blockCode = 'E_ORCH_BLOCKED';
        }
        s.result = notRun(s.spec, 'blocked', reason);
        return;
      }
      const patch = s.spec.patch;
      const target = patch ? c.data[patch.of] : undefined;
      if (boundary.patch && patch && target !== undefined) {
        try {
          (c.data as Record<string, unknown>)[patch.of] = patch.apply(target, boundary.patch) as StageOutputs[typeof patch.of];
        } catch (e) {
          const message = (e as Error).message;
          c.errors.push(errorInfo(e, name));
          c.blockReason ??= message;
          c.blockCode = 'E_ORCH_BLOCKED';
          s.result = notRun(s.spec, 'blocked', message);
          return;
        }
      }
      return next(s);
    });
  };
}
