// Reconciliation, the pure part: our books (the ledger, with the fills the broker reported
// that it has not posted yet, and the orders we hold open) against the broker's (cash,
// positions, open orders). Broker-neutral: any BrokerAdapter's answers go in.
//
// What counts as a difference, and why:
//   - a position that differs by more than the share tolerance: someone traded outside the
//     engine, or a fill was lost; trading on would size against a book that is not there;
//   - cash that differs by more than the cash tolerance (money): fees the broker charges
//     outside fills (regulatory fees) are small and expected, hence a tolerance;
//   - an order working at the broker that we do not hold open: placed outside the engine, it
//     can fill into positions nobody decided.
// An order we hold open that the broker no longer lists as open is not a difference: it
// ended between our last look and this one, and EXEC's next fetch records how.

import type { AccountView } from '../../domain/portfolio.ts';

export interface ReconcileTolerance {
  /** Shares a position may differ by (0: exact). */
  positionQty: number;
  /** Money cash may differ by. */
  cash: number;
}

/** Our side: the ledger as posted, plus the broker fills we know of but have not posted. */
export interface EngineBook {
  cash: number;
  positions: ReadonlyMap<string, number>;
  /** Client order ids of the orders we hold open (submitted, partially filled, or pending an answer). */
  openOrders: ReadonlySet<string>;
}

/** The broker's side. */
export interface BrokerBookView extends AccountView {
  /** Client order ids of the orders the broker lists as working. */
  openOrders: readonly string[];
}

export type ReconcileDifference =
  | { kind: 'position'; symbol: string; engine: number; broker: number }
  | { kind: 'cash'; engine: number; broker: number }
  | { kind: 'unknown_open_order'; clientOrderId: string };

export interface ReconcileOutcome {
  /** True when nothing differs beyond tolerance. */
  clean: boolean;
  differences: ReconcileDifference[];
}

/** Diffs our book against the broker's (pure). Differences are listed positions (by symbol), cash, then orders. */
export function reconcile(engine: EngineBook, broker: BrokerBookView, tolerance: ReconcileTolerance): ReconcileOutcome {
  const differences: ReconcileDifference[] = [];
  for (const symbol of [...new Set([...engine.positions.keys(), ...broker.positions.keys()])].sort()) {
    const ours = engine.positions.get(symbol) ?? 0;
    const theirs = broker.positions.get(symbol) ?? 0;
    if (Math.abs(ours - theirs) > tolerance.positionQty + 1e-9) differences.push({ kind: 'position', symbol, engine: ours, broker: theirs });
  }
  if (Math.abs(engine.cash - broker.cash) > tolerance.cash + 1e-9 * Math.max(1, Math.abs(engine.cash))) differences.push({ kind: 'cash', engine: engine.cash, broker: broker.cash });
  for (const id of broker.openOrders) if (!engine.openOrders.has(id)) differences.push({ kind: 'unknown_open_order', clientOrderId: id });
  return { clean: differences.length === 0, differences };
}

/** One line per difference, for the kill switch's reason and the log. */
export function describeDifferences(differences: readonly ReconcileDifference[]): string {
  return differences
    .map((d) => {
      switch (d.kind) {
        case 'position':
          return `${d.symbol}: ledger ${d.engine} shares, broker ${d.broker}`;
        case 'cash':
          return `cash: ledger ${round(d.engine)}, broker ${round(d.broker)}`;
        case 'unknown_open_order':
          return `order ${d.clientOrderId} works at the broker but not in the engine`;
      }
    })
    .join('; ');
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
