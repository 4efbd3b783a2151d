// ANA: values the cycle (PORT's snapshot) and the cycle's executions (EXEC's batch) into
// KPIs. Keeps the equity curve and closed trades for reports, RISK's denials by reason code,
// and order counts in backtrader's sense: orders = submitted + rejected by RISK's submission
// cash check, ordersRejected includes both broker rejections and those cash-check rejections.
// backtrader runs that cash check at the next bar (check_submitted, in the broker's next), so
// a cash-check rejection counts as rejected from the next cycle on: an order decided on the
// last bar never meets it and stays unfilled.
// Running twice for one cycle (a retry) returns the first result instead of counting twice.

import type { AnalyticsReport } from '../../domain/analytics.ts';
import type { ExecutionBatch, ExecutionReport, Fill } from '../../domain/order.ts';
import type { Position } from '../../domain/portfolio.ts';
import { OrdinisError } from '../../errors.ts';
import type { Stage, StageContext } from '../../kernel/stage-contract.ts';
import { EquityCurve, type EquityPoint, type EquityPointSink } from './equity-curve.ts';
import { KpiAccumulator, type DrawdownState } from './kpis.ts';
import { TradeTracker, type ClosedTrade } from './trades.ts';
import { RiskDenialCounter, type RiskDenialTally } from './risk-denials.ts';

export type { EquityPoint, EquityPointSink } from './equity-curve.ts';

export interface AnalyticsStageOptions {
  /** Base of returns. Default: the first cycle's equity. */
  startingCash?: number;
  /** Default 252. */
  periodsPerYear?: number;
  /** Default 30. */
  minBars?: number;
  /** Default 5. */
  minTrades?: number;
  /** Keep (ts, value, drawdown) for every cycle. Default true. */
  keepEquityCurve?: boolean;
  /**
   * Where each cycle's (ts, value, drawdown) point goes instead of the in-memory curve (a
   * backtest streams them to SQLite, so its memory does not grow with its length); then
   * `equityCurve()` stays empty. Must not throw: a failure belongs to whoever writes the points.
   */
  equityCurve?: EquityPointSink;
}

export interface OrderStats {
  /** Orders in backtrader's sense: submitted to the broker + rejected by the submission cash check. */
  orders: number;
  filled: number;
  /** Broker rejections + cash-check rejections. */
  rejected: number;
  canceled: number;
  /** Of `rejected`, those RISK's cash check rejected before submission (on an earlier bar than the last cycle's). */
  riskRejected: number;
  /** Orders with no final answer yet (at the end of a backtest: never filled), a cash-check rejection of the last cycle's bar included. */
  unfilled: number;
  fills: number;
}

/** The default ANA engine: values each cycle into running KPIs (no per-bar history kept unless asked), the equity curve, closed trades and order counts. */
export class AnalyticsStage implements Stage<'ANA'> {
  readonly name = 'ANA' as const;
  private acc: KpiAccumulator | undefined;
  private readonly trades = new TradeTracker();
  private readonly closed: ClosedTrade[] = [];
  private readonly curve = new EquityCurve();
  private readonly equitySink: EquityPointSink;
  // Ids that keep a retried cycle or a re-reported order from counting twice, held until
  // forgetOrders says the order can never be reported again.
  private readonly seenFills = new Set<string>();
  private readonly submittedIds = new Set<string>();
  private readonly finalIds = new Set<string>();
  private readonly stats = { submitted: 0, filled: 0, rejected: 0, canceled: 0, riskRejected: 0, fills: 0 };
  /** Cash-check rejections of the last cycle's bar: rejected once a next cycle comes. */
  private riskRejectedPending = 0;
  private readonly denials = new RiskDenialCounter();
  private lastCorrelationId: string | null = null;
  private lastReport: AnalyticsReport | null = null;

  constructor(private readonly opts: AnalyticsStageOptions = {}) {
    this.equitySink = opts.equityCurve ?? this.curve;
  }

  run(ctx: StageContext): AnalyticsReport {
    if (ctx.correlationId === this.lastCorrelationId && this.lastReport) return this.lastReport;
    const port = ctx.data.PORT;
    if (!port) throw new OrdinisError('E_ANA_COMPUTE_FAILED', 'no PORT snapshot in this cycle');
    if (!this.acc) {
      this.acc = new KpiAccumulator({
        startingValue: this.opts.startingCash ?? port.equity,
        ...(this.opts.periodsPerYear !== undefined ? { periodsPerYear: this.opts.periodsPerYear } : {}),
        ...(this.opts.minBars !== undefined ? { minBars: this.opts.minBars } : {}),
        ...(this.opts.minTrades !== undefined ? { minTrades: this.opts.minTrades } : {}),
      });
    }
    const acc = this.acc;

    // The previous bar's cash-check rejections meet their check now (backtrader's next bar).
    this.stats.riskRejected += this.riskRejectedPending;
    this.stats.rejected += this.riskRejectedPending;
    this.riskRejectedPending = 0;
    const risk = ctx.data.RISK;
    if (risk) this.denials.observe(risk);
    const exec = ctx.data.EXEC;
    if (exec) this.countExecutions(exec, acc);

    acc.observeBar(ctx.cycleTime, port.equity, holdsPosition(port.positions));
    if (this.opts.keepEquityCurve !== false) this.equitySink.push(ctx.cycleTime, port.equity, acc.currentDrawdownPct);

    const { kpis, quality } = acc.snapshot();
    const report: AnalyticsReport = { ts: ctx.cycleTime, equity: port.equity, kpis, quality };
    this.lastCorrelationId = ctx.correlationId;
    this.lastReport = report;
    return report;
  }

  /** Counts the batch's orders and feeds its new fills to the KPIs and trades. */
  private countExecutions(exec: ExecutionBatch, acc: KpiAccumulator): void {
    for (const s of exec.submitted) {
      const id = s.intent.clientOrderId;
      if (this.submittedIds.has(id)) continue;
      this.submittedIds.add(id);
      this.stats.submitted += 1;
    }
    this.riskRejectedPending += exec.riskRejected.length;
    // Collected before any is applied (a fill listed twice in one batch counts twice, as
    // it always has); made on the first fill only, most batches have none.
    let fills: Fill[] | undefined;
    for (const r of exec.resolved) {
      for (const f of r.fills) if (!this.seenFills.has(f.fillId)) (fills ??= []).push(f);
      if ((r.status === 'filled' || r.status === 'rejected' || r.status === 'canceled') && !this.finalIds.has(r.clientOrderId)) {
        this.finalIds.add(r.clientOrderId);
        this.stats[r.status] += 1;
      }
    }
    if (fills === undefined) return;
    for (const f of fills) {
      this.seenFills.add(f.fillId);
      this.stats.fills += 1;
      acc.observeFill(f.qty * f.price, f.commission);
      const t = this.trades.onFill(f);
      if (t) {
        this.closed.push(t);
        acc.observeTrade(t.pnlNet);
      }
    }
  }

  summarize(out: AnalyticsReport): Record<string, unknown> {
    return { equity: out.equity, totalReturnPct: out.kpis.totalReturnPct, maxDrawdownPct: out.kpis.maxDrawdownPct, trades: out.kpis.trades, quality: out.quality };
  }

  /**
   * The curve so far: the same array each call, extended by later calls (not by later cycles
   * alone). Empty when the points go to `opts.equityCurve`.
   */
  equityCurve(): readonly EquityPoint[] {
    return this.curve.read();
  }

  /** Round trips closed so far. */
  closedTrades(): readonly ClosedTrade[] {
    return this.closed;
  }

  /** Trades still open, by symbol. */
  openTrades(): ReturnType<TradeTracker['openTrades']> {
    return this.trades.openTrades();
  }

  /** The running drawdown (null before the first cycle). */
  drawdown(): DrawdownState | null {
    return this.acc ? this.acc.drawdown() : null;
  }

  /**
   * Forgets orders that can never be reported again (final, and released from the order
   * store and the venue between cycles, as the backtest driver does) and their fills: the
   * counts keep them, the id sets then hold only the orders in flight.
   */
  forgetOrders(reports: Iterable<ExecutionReport>): void {
    for (const r of reports) {
      this.submittedIds.delete(r.clientOrderId);
      this.finalIds.delete(r.clientOrderId);
      for (const f of r.fills) this.seenFills.delete(f.fillId);
    }
  }

  /** Order counts in backtrader's sense (submitted plus cash-check rejections). */
  orderStats(): OrderStats {
    const { submitted, filled, rejected, canceled, riskRejected, fills } = this.stats;
    const orders = submitted + riskRejected + this.riskRejectedPending;
    return { orders, filled, rejected, canceled, riskRejected, unfilled: orders - filled - rejected - canceled, fills };
  }

  /** RISK's denials so far by reason code (every denied decision, as `risk_decisions` records them), with the bar of the first. */
  riskDenials(): RiskDenialTally {
    return this.denials.read();
  }

  /** The latest report (null before the first cycle). */
  latest(): AnalyticsReport | null {
    return this.lastReport;
  }
}

/** Whether any position is open; a loop, not `some` with a closure: this runs every cycle. */
function holdsPosition(positions: readonly Position[]): boolean {
  for (const p of positions) if (p.qty !== 0) return true;
  return false;
}
