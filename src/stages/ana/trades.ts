// Round trips from fills, with the ledger's average-cost rule: a trade opens when a
// position leaves zero and closes when it returns to zero (backtrader's Trade). Gross PnL
// is the realized PnL of its closing fills; net subtracts every commission the trade paid,
// opening fills included.

import type { Fill } from '../../domain/order.ts';
import { FLAT, nextPosition, splitTrade, type BookPosition } from '../../domain/average-cost.ts';

/** A round trip: from a position leaving zero to its return to zero, with gross and net PnL. */
export interface ClosedTrade {
  symbol: string;
  direction: 'long' | 'short';
  openTs: number;
  closeTs: number;
  /** Average entry price while the trade was open (backtrader Trade.price). */
  entryPrice: number;
  /** Largest absolute size the trade reached. */
  maxQty: number;
  pnlGross: number;
  commission: number;
  pnlNet: number;
}

interface OpenTrade {
  symbol: string;
  openTs: number;
  position: BookPosition;
  entryPrice: number;
  maxQty: number;
  pnlGross: number;
  commission: number;
}

export class TradeTracker {
  private readonly open = new Map<string, OpenTrade>();

  /** Applies a fill; returns the trade it closed, if any. */
  onFill(fill: Fill): ClosedTrade | null {
    const signed = fill.side === 'buy' ? fill.qty : -fill.qty;
    let t = this.open.get(fill.symbol);
    const held = t?.position.qty ?? 0;
    const { closed, opened } = splitTrade(held, signed);
    const closeShare = closed !== 0 && opened !== 0 ? Math.abs(closed) / fill.qty : closed !== 0 ? 1 : 0;

    let done: ClosedTrade | null = null;
    if (closed !== 0 && t) {
      const r = nextPosition(t.position, closed, fill.price);
      t.pnlGross += r.realized;
      t.commission += fill.commission * closeShare;
      t.position = r.position;
      if (r.position.qty === 0) {
        done = {
          symbol: fill.symbol,
          direction: held > 0 ? 'long' : 'short',
          openTs: t.openTs,
          closeTs: fill.ts,
          entryPrice: t.entryPrice,
          maxQty: t.maxQty,
          pnlGross: t.pnlGross,
          commission: t.commission,
          pnlNet: t.pnlGross - t.commission,
        };
        this.open.delete(fill.symbol);
        t = undefined;
      }
    }
    if (opened !== 0) {
      if (!t) {
        t = { symbol: fill.symbol, openTs: fill.ts, position: FLAT, entryPrice: fill.price, maxQty: 0, pnlGross: 0, commission: 0 };
        this.open.set(fill.symbol, t);
      }
      t.position = nextPosition(t.position, opened, fill.price).position;
      t.entryPrice = t.position.avgCost;
      t.maxQty = Math.max(t.maxQty, Math.abs(t.position.qty));
      t.commission += fill.commission * (1 - closeShare);
    }
    return done;
  }

  openTrades(): { symbol: string; qty: number; entryPrice: number; openTs: number }[] {
    return [...this.open.values()].map((t) => ({ symbol: t.symbol, qty: t.position.qty, entryPrice: t.entryPrice, openTs: t.openTs }));
  }
}
