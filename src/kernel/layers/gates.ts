// The gates in front of a stage, as its StageSpec declares them. In order: a stage after a
// failure is skipped (unless it runs after failures: AUDIT); a stage after a block is blocked
// (unless it runs on a block: the bookkeeping PORT and ANA, and AUDIT); then the stage's own
// gates, the first that holds blocking it and, through the cycle's block reason, the rest of
// the trading path. A gate names its reason in the stage result and emits its event.

import type { Layer } from '../compose.ts';
import { eventMeta, notRun, type CycleState, type StageStep } from '../cycle-state.ts';
import type { GateName } from '../stage-spec.ts';
import type { KillSwitch } from '../../kill-switch/kill-switch.ts';
import type { EventEmitterPort } from '../../bus/contract.ts';

export interface GateOptions {
  kill: KillSwitch;
  /** Re-reads the kill switch's shared state (another process may have flipped it). */
  rereadKill: () => void;
  /** Whether the previous cycle degraded (a degrade-mode stage failed in it). */
  previousDegraded: () => boolean;
  degradedAllowExec: boolean;
  events: EventEmitterPort | undefined;
}

export function gatesLayer(o: GateOptions): Layer<StageStep> {
  return (s, next) => {
    const c = s.cycle;
    const spec = s.spec;
    if (c.haltNote !== null && !spec.runsAfterFailure) {
      s.result = notRun(spec, 'skipped', c.haltNote);
      return;
    }
    if (c.blockReason !== null && !c.failed && !spec.runsWhenBlocked) {
      s.result = notRun(spec, 'blocked', c.blockReason);
      return;
    }
    const gates = spec.gates;
    for (let g = 0; g < gates.length; g++) {
      if (closed(gates[g]!, s, c, o)) return;
    }
    return next(s);
  };
}

/** Whether `gate` stops the stage; if so the stage's result and the cycle say why. */
function closed(gate: GateName, s: StageStep, c: CycleState, o: GateOptions): boolean {
  const spec = s.spec;
  switch (gate) {
    case 'kill-reread':
    case 'kill': {
      if (gate === 'kill-reread') o.rereadKill();
      if (c.blockReason !== null || !o.kill.isActive()) return false;
      const k = o.kill.get();
      block(s, c, `kill switch active: ${k.reason ?? 'no reason'}`);
      o.events?.emit('ordinis.ops.kill.block', { correlation_id: c.correlationId, stage: spec.name, reason: k.reason, actor: k.actor }, eventMeta(c));
      return true;
    }
    case 'stale': {
      const stale = c.signals.stale;
      if (c.blockReason !== null || !stale) return false;
      block(s, c, `data stale: ${stale.reason}`);
      o.events?.emit('ordinis.ops.data.stale', { correlation_id: c.correlationId, reason: stale.reason, lag_ms: stale.lagMs }, eventMeta(c));
      return true;
    }
    case 'degraded-exec':
      if (!o.previousDegraded() || o.degradedAllowExec) return false;
      c.degraded = true;
      s.result = notRun(spec, 'skipped', 'previous cycle degraded and ORCH_DEGRADED_ALLOW_EXEC=false');
      return true;
  }
}

function block(s: StageStep, c: CycleState, reason: string): void {
  c.blockReason = reason;
  c.blockCode = 'E_ORCH_BLOCKED';
  s.result = notRun(s.spec, 'blocked', reason);
}
