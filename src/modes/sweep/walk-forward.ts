// Walk-forward optimisation: for each window, a sweep of the in-sample dates picks the
// parameters the objective ranks best; one backtest of the out-of-sample dates runs them; the
// out-of-sample curves are stitched into one (each window compounding on the last) whose KPIs
// say how the method would have done on data it never optimised on. The gap between each
// window's in-sample and out-of-sample figure is what overfitting costs.
//
// Each out-of-sample backtest starts flat with the starting cash on its first date, and its
// indicators warm up on its own bars (as `ordinis backtest --from` would): a window shorter
// than the slowest indicator never trades.

import type { OrdinisConfig } from '../../config/schema.ts';
import { KpiAccumulator } from '../../stages/ana/kpis.ts';
import type { EquityPoint } from '../../stages/ana/equity-curve.ts';
import { objectiveValue, rankByObjective } from './objective.ts';
import { PointThreadPool } from './point-thread-pool.ts';
import type { SweepResult } from './sweep-outcome.ts';
import { SweepPointRunner, type PointTask } from './sweep-point-runner.ts';
import { sweepPoints, type SweepSpec } from './sweep-spec.ts';
import type { WalkForwardWindow } from './walk-forward-windows.ts';

export interface WindowOutcome {
  window: WalkForwardWindow;
  /** The in-sample sweep's id, when the caller records it. */
  sweepId: string | null;
  /** The in-sample result the objective ranked best (null: no point had an objective value). */
  chosen: SweepResult | null;
  /** The out-of-sample backtest of the chosen parameters. */
  outOfSample: SweepResult | null;
  isObjective: number | null;
  oosObjective: number | null;
  /** In-sample minus out-of-sample objective (null unless both exist). */
  gap: number | null;
}

export interface StitchedCurve {
  /** The out-of-sample curves end to end, each window starting from the last one's final value. */
  points: EquityPoint[];
  finalValue: number;
  kpis: { totalReturnPct: number; annualizedReturnPct: number | null; volatilityPct: number | null; sharpe: number | null; sortino: number | null; maxDrawdownPct: number; calmar: number | null };
  /** Trades of all out-of-sample backtests. */
  trades: number;
}

export interface WalkForwardOptions {
  /** The sweep of every window; its --from/--to are replaced by each window's dates. */
  spec: SweepSpec;
  windows: readonly WalkForwardWindow[];
  config: OrdinisConfig;
  jobs: number;
  /** Records a window's in-sample sweep and its results; returns the sweep id. */
  recordSweep?: (spec: SweepSpec, points: number, results: readonly SweepResult[]) => string;
  onWindow?: (w: WindowOutcome) => void;
}

/** The sweep's definition restricted to a date window. */
export function windowSpec(spec: SweepSpec, from: string, to: string): SweepSpec {
  return { ...spec, flags: { ...spec.flags, from, to } };
}

export async function runWalkForward(o: WalkForwardOptions): Promise<{ windows: WindowOutcome[]; stitched: StitchedCurve }> {
  // One pool for every window: its threads load the strategy once, not once a window.
  const pool = o.jobs > 1 ? new PointThreadPool(o.config, o.jobs) : undefined;
  const local = new Map<SweepSpec, Promise<SweepPointRunner>>();
  const inProcess = (spec: SweepSpec): Promise<SweepPointRunner> => {
    let r = local.get(spec);
    if (!r) local.set(spec, (r = SweepPointRunner.create(spec, o.config)));
    return r;
  };
  const run = async (spec: SweepSpec, task: PointTask): Promise<SweepResult> => (pool ? pool.run({ task, spec }) : (await inProcess(spec)).run(task));
  const outcomes: WindowOutcome[] = [];
  const curves: { equity: readonly EquityPoint[]; cash: number }[] = [];
  try {
    for (const w of o.windows) {
      const isSpec = windowSpec(o.spec, w.inSample.from, w.inSample.to);
      const points = sweepPoints(isSpec);
      const results = await Promise.all(points.map((p) => run(isSpec, p)));
      local.delete(isSpec);
      const sweepId = o.recordSweep ? o.recordSweep(isSpec, points.length, results) : null;
      const best = rankByObjective(o.spec.objective, results)[0];
      const isObjective = best ? objectiveValue(o.spec.objective, best) : null;
      const chosen = isObjective === null ? null : best!;
      let outOfSample: SweepResult | null = null;
      if (chosen) {
        const oosSpec = windowSpec(o.spec, w.outOfSample.from, w.outOfSample.to);
        const runner = await SweepPointRunner.create(oosSpec, o.config);
        const { result, equity } = await runner.runWithCurve({ index: 0, params: chosen.params });
        outOfSample = result;
        if (result.status === 'ok') curves.push({ equity, cash: o.spec.defaults.cash });
      }
      const oosObjective = outOfSample ? objectiveValue(o.spec.objective, outOfSample) : null;
      const outcome: WindowOutcome = { window: w, sweepId, chosen, outOfSample, isObjective, oosObjective, gap: isObjective !== null && oosObjective !== null ? isObjective - oosObjective : null };
      outcomes.push(outcome);
      o.onWindow?.(outcome);
    }
  } finally {
    await pool?.close();
  }
  const stitched = stitchCurves(o.spec.defaults.cash, curves, o.config.ANA_PERIODS_PER_YEAR);
  stitched.trades = outcomes.reduce((n, w) => n + (w.outOfSample?.trades ?? 0), 0);
  return { windows: outcomes, stitched };
}

/**
 * The curves end to end (pure): each is scaled by the stitched value so far over its own
 * starting cash, so window returns compound; KPIs over the stitched values as one run.
 */
export function stitchCurves(cash: number, curves: readonly { equity: readonly EquityPoint[]; cash: number }[], periodsPerYear: number): StitchedCurve {
  const acc = new KpiAccumulator({ startingValue: cash, periodsPerYear });
  const points: EquityPoint[] = [];
  let carry = cash;
  let peak = cash;
  for (const c of curves) {
    const scale = carry / c.cash;
    for (const p of c.equity) {
      const value = p.value * scale;
      peak = Math.max(peak, value);
      points.push({ ts: p.ts, value, drawdownPct: peak > 0 ? (100 * (peak - value)) / peak : 0 });
      acc.observeBar(p.ts, value, false);
    }
    if (c.equity.length > 0) carry = c.equity[c.equity.length - 1]!.value * scale;
  }
  const k = acc.snapshot().kpis;
  return {
    points,
    finalValue: carry,
    kpis: { totalReturnPct: k.totalReturnPct, annualizedReturnPct: k.annualizedReturnPct, volatilityPct: k.volatilityPct, sharpe: k.sharpe, sortino: k.sortino, maxDrawdownPct: k.maxDrawdownPct, calmar: k.calmar },
    trades: 0,
  };
}
