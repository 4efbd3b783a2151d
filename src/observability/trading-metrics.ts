// The trading figures on /metrics: the account (equity, cash, P&L), positions by symbol,
// orders, fills and rejections, how old the data is and the broker circuit's state.
//
// They are read when Prometheus scrapes (a gauge's `collect`, prom-client's public API for a
// custom collector), not pushed every cycle: the book already holds them, a scrape comes every
// few seconds while a paper replay runs thousands of cycles a second, and reading at the
// scrape costs the cycle nothing. Whoever owns the book (the paper runtime) gives a function
// returning a TradingView; this file only turns one into series.

import { Counter, Gauge, type Registry } from 'prom-client';

/** The broker circuit breaker's states (adapters/resilience/circuit-breaker.ts). */
export const CIRCUIT_STATES = ['closed', 'half-open', 'open'] as const;
export type CircuitStateLabel = (typeof CIRCUIT_STATES)[number];

/** Order counts (this process's, so a Prometheus counter: a restart is a counter reset). */
export const ORDER_STATUSES = ['submitted', 'filled', 'rejected', 'canceled'] as const;
export type OrderCountStatus = (typeof ORDER_STATUSES)[number];

/** One position as the book values it at the last cycle's closes. */
export interface PositionFigure {
  symbol: string;
  /** Signed quantity (negative: short). */
  qty: number;
  /** qty × mark, in the account's currency. */
  value: number;
}

/** The trading state at one moment, as the metrics show it. */
export interface TradingView {
  /** null before the first valued cycle. */
  equity: number | null;
  cash: number;
  realizedPnl: number;
  unrealizedPnl: number;
  /** Every symbol the book has held (flat ones at 0, so a closed position reads 0, not a stale figure). */
  positions: readonly PositionFigure[];
  orders: Readonly<Record<OrderCountStatus, number>>;
  fills: number;
  /** Rejections and denials by reason code (RISK's codes, `cash_check`, `venue`). */
  rejections: Readonly<Record<string, number>>;
  /** Age of the newest bar on the data's own clock (s); null before the first bar. */
  dataStalenessSeconds: number | null;
  circuitBreaker: CircuitStateLabel;
}

export interface TradingMetrics {
  /**
   * Reconciliation (broker vs book) differences found by its last run. Defined here so the
   * alert and the dashboard have a stable name; reconciliation sets it (0 until one reports).
   */
  setReconciliationDifferences(n: number): void;
}

/**
 * Registers the trading series on `registry`, filled from `read()` at each scrape. `read`
 * returning undefined (no book yet) leaves every series as it was.
 */
export function registerTradingMetrics(registry: Registry, read: () => TradingView | undefined): TradingMetrics {
  const registers = [registry];
  // Each series reads for itself (a view is a few in-memory figures): a series read alone
  // (getSingleMetric) is as current as a whole scrape.
  const view = read;
  const gauge = (name: string, help: string, pick: (v: TradingView) => number | null) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const v = view();
        const x = v ? pick(v) : null;
        if (x !== null) this.set(x);
      },
    });
  gauge('ordinis_equity', 'Account equity (cash + positions at the last closes)', (v) => v.equity);
  gauge('ordinis_cash', 'Account cash', (v) => v.cash);
  gauge('ordinis_realized_pnl', 'Realised P&L, gross of fees', (v) => v.realizedPnl);
  gauge('ordinis_unrealized_pnl', 'Unrealised P&L at the last closes', (v) => v.unrealizedPnl);
  gauge('ordinis_data_staleness_seconds', 'Age of the newest bar on the data clock', (v) => v.dataStalenessSeconds);
  new Gauge({
    name: 'ordinis_position_quantity',
    help: 'Position quantity by symbol (negative: short)',
    labelNames: ['symbol'],
    registers,
    collect() {
      const v = view();
      if (v) for (const p of v.positions) this.set({ symbol: p.symbol }, p.qty);
    },
  });
  new Gauge({
    name: 'ordinis_position_value',
    help: 'Position value by symbol at the last close',
    labelNames: ['symbol'],
    registers,
    collect() {
      const v = view();
      if (v) for (const p of v.positions) this.set({ symbol: p.symbol }, p.value);
    },
  });
  // Counters mirrored from the book's own counts: `reset` then `inc` to the count is the public
  // API's way to carry a total kept elsewhere (it never decreases within a process).
  new Counter({
    name: 'ordinis_orders_total',
    help: 'Orders by status (submitted to the broker or refused by the cash check; filled; rejected; canceled)',
    labelNames: ['status'],
    registers,
    collect() {
      const v = view();
      if (!v) return;
      this.reset();
      for (const s of ORDER_STATUSES) this.inc({ status: s }, v.orders[s]);
    },
  });
  new Counter({
    name: 'ordinis_fills_total',
    help: 'Fills booked',
    registers,
    collect() {
      const v = view();
      if (!v) return;
      this.reset();
      this.inc(v.fills);
    },
  });
  new Counter({
    name: 'ordinis_rejections_total',
    help: "Decisions denied and orders rejected, by reason code (RISK's codes; cash_check: the submission cash check; venue: the broker)",
    labelNames: ['reason'],
    registers,
    collect() {
      const v = view();
      if (!v) return;
      this.reset();
      for (const [reason, n] of Object.entries(v.rejections)) this.inc({ reason }, n);
    },
  });
  new Gauge({
    name: 'ordinis_circuit_breaker_state',
    help: 'Broker circuit breaker: 1 for the state it is in (closed, half-open, open), 0 for the others',
    labelNames: ['state'],
    registers,
    collect() {
      const v = view();
      if (v) for (const s of CIRCUIT_STATES) this.set({ state: s }, v.circuitBreaker === s ? 1 : 0);
    },
  });
  const reconciliation = new Gauge({
    name: 'ordinis_reconciliation_differences',
    help: 'Differences between the broker and the book found by the last reconciliation (0 until one reports)',
    registers,
  });
  return { setReconciliationDifferences: (n) => reconciliation.set(n) };
}
