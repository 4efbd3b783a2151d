// What SIG shows a strategy of the book, read from the venue: its own `fetchBook` when it has
// one (the paper venue: average prices, entry times, working orders with their terms), else
// what every broker answers, its account: quantities and cash, the average price and entry
// time unknown (NaN, undefined) and no working orders listed (a report carries no order terms).

import { thenMaybe, type MaybePromise } from '../../core/maybe-async.ts';
import type { BookView, PositionDetail } from '../../domain/portfolio.ts';
import type { BrokerAdapter } from './broker-adapter.ts';

/** A `book` source for SignalStage from a broker. */
export function brokerBook(broker: BrokerAdapter): () => MaybePromise<BookView> {
  if (typeof broker.fetchBook === 'function') return () => broker.fetchBook!();
  return () =>
    thenMaybe(broker.fetchAccount(), (a) => {
      const positions = new Map<string, PositionDetail>();
      for (const [symbol, qty] of a.positions) if (qty !== 0) positions.set(symbol, { qty, avgPrice: Number.NaN, entryTs: undefined });
      return { cash: a.cash, positions, openOrders: [] };
    });
}
