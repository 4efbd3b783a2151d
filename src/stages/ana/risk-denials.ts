// RISK's denials over a run, by reason code: how many, and the bar of the first. A guard
// that stops a strategy (a drawdown breach, a symbol cap) must show in the run's summary and
// report, not only row by row in `risk_decisions`.

import type { RiskDecision, RiskReasonCode } from '../../domain/risk.ts';

/** Per reason code: the denials counted and the bar time (ms) of the first. */
export type RiskDenialTally = Partial<Record<RiskReasonCode, { count: number; firstTs: number }>>;

/** Counts the denied decisions of each cycle by reason code. */
export class RiskDenialCounter {
  private readonly tally: RiskDenialTally = {};

  observe(decisions: readonly RiskDecision[]): void {
    for (const d of decisions) {
      if (d.allowed) continue;
      for (const r of d.reasons) {
        const t = this.tally[r];
        if (t) t.count += 1;
        else this.tally[r] = { count: 1, firstTs: d.ts };
      }
    }
  }

  /** A copy of the tally so far, codes in the order they were first seen. */
  read(): RiskDenialTally {
    const out: RiskDenialTally = {};
    for (const [code, t] of Object.entries(this.tally) as [RiskReasonCode, { count: number; firstTs: number }][]) out[code] = { ...t };
    return out;
  }
}
