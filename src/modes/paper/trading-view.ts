// The paper book as the operator sees it (/metrics, the dashboard): equity, cash, P&L,
// positions, orders, fills, rejections, data age and the broker circuit. A pure function of
// what PORT and ANA already hold in memory, so reading it costs a cycle nothing.

import type { BookPosition } from '../../domain/average-cost.ts';
import type { RiskDenialTally } from '../../stages/ana/risk-denials.ts';
import type { OrderStats } from '../../stages/ana/analytics-stage.ts';
import type { CircuitStateLabel, PositionFigure, TradingView } from '../../observability/trading-metrics.ts';

export interface TradingViewParts {
  /** PORT's book: cash, positions at average cost, the last close of each symbol. */
  book: { cash: number; positions: ReadonlyMap<string, BookPosition>; marks: ReadonlyMap<string, number> };
  /** ANA's order counts (this process). */
  orders: OrderStats;
  /** ANA's tally of RISK's denials by reason code (this process). */
  denials: RiskDenialTally;
  /** Time (ms) of the newest bar a cycle consumed; undefined before the first. */
  newestBarTs: number | undefined;
  /** The data clock's now (ms): bar time in a replay, the wall clock live. */
  now: number;
  circuit: CircuitStateLabel;
}

export function tradingViewOf(p: TradingViewParts): TradingView {
  const positions: PositionFigure[] = [];
  let value = 0;
  let realized = 0;
  let unrealized = 0;
  for (const [symbol, b] of p.book.positions) {
    // Marked as PORT marks it: the last close, else the average cost (no bar seen yet).
    const mark = p.book.marks.get(symbol) ?? b.avgCost;
    const v = b.qty * mark;
    positions.push({ symbol, qty: b.qty, value: v });
    value += v;
    realized += b.realizedPnl;
    unrealized += b.qty * (mark - b.avgCost);
  }
  const o = p.orders;
  const rejections: Record<string, number> = {};
  for (const [code, t] of Object.entries(p.denials)) if (t) rejections[code] = t.count;
  rejections.cash_check = o.riskRejected;
  rejections.venue = o.rejected - o.riskRejected;
  return {
    equity: p.book.cash + value,
    cash: p.book.cash,
    realizedPnl: realized,
    unrealizedPnl: unrealized,
    positions,
    orders: { submitted: o.orders, filled: o.filled, rejected: o.rejected, canceled: o.canceled },
    fills: o.fills,
    rejections,
    dataStalenessSeconds: p.newestBarTs === undefined ? null : Math.max(0, p.now - p.newestBarTs) / 1000,
    circuitBreaker: p.circuit,
  };
}
