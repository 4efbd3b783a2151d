// Property: for any mix of orders (market, limit, stop, stop-limit; buys and sells through
// zero; gtc and day; cancels) over any bars, with any commission model and slippage, the
// ledger built from the venue's fills (PORT's postFill) and replayed from its entries alone
// (replayLedger) holds exactly the venue's book: the same cash to the bit, the same positions
// and average prices. This is what lets PORT reconcile against the venue every cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PaperBroker } from '../../../src/adapters/venue/paper-broker.ts';
import { postFill, replayLedger } from '../../../src/stages/port/ledger.ts';
import type { LedgerEntry } from '../../../src/stages/port/ledger-store.ts';
import { FLAT, type BookPosition } from '../../../src/domain/average-cost.ts';
import type { CommissionModel } from '../../../src/domain/commission.ts';
import type { Fill, OrderIntent, OrderType } from '../../../src/domain/order.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2020, 0, 1);
const SYMBOLS = ['A', 'B'] as const;

const barMove = fc.record({ open: fc.double({ min: -0.04, max: 0.04, noNaN: true }), up: fc.double({ min: 0, max: 0.04, noNaN: true }), down: fc.double({ min: 0, max: 0.04, noNaN: true }), close: fc.double({ min: -0.04, max: 0.04, noNaN: true }) });
const orderSpec = fc.record({
  symbol: fc.constantFrom(...SYMBOLS),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  qty: fc.integer({ min: 1, max: 60 }),
  type: fc.constantFrom<OrderType>('market', 'limit', 'stop', 'stop_limit'),
  price: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
  limit: fc.double({ min: -0.03, max: 0.03, noNaN: true }),
  day: fc.boolean(),
});
const step = fc.record({
  moves: fc.tuple(barMove, barMove),
  orders: fc.array(orderSpec, { maxLength: 3 }),
  cancel: fc.option(fc.nat(), { nil: undefined }),
});
const commission = fc.constantFrom<CommissionModel>({ kind: 'none' }, { kind: 'percent', percent: 0.1 }, { kind: 'per_share', perShare: 0.01, minPerFill: 1 }, { kind: 'fixed', perFill: 2.5 });

test('the ledger replayed from the venue fills equals the venue book (cash to the bit, positions, average prices)', () => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), commission, fc.constantFrom(0, 5, 25), fc.integer({ min: 500, max: 20_000 }), (steps, comm, bps, cash) => {
      const venue = new PaperBroker({ startingCash: cash, commission: comm, slippageBps: bps });
      const close = new Map<string, number>([['A', 20], ['B', 75]]);
      const ids: string[] = [];
      steps.forEach((s, i) => {
        const ts = T0 + i * DAY;
        venue.onBars(
          SYMBOLS.map((symbol, k) => {
            const m = s.moves[k]!;
            const prev = close.get(symbol)!;
            const open = prev * (1 + m.open);
            const c = prev * (1 + m.close);
            close.set(symbol, c);
            return { symbol, ts, open, close: c, high: Math.max(open, c) * (1 + m.up), low: Math.min(open, c) * (1 - m.down), volume: 0 };
          }),
        );
        const working = venue.fetchOpenOrders();
        if (s.cancel !== undefined && working.length > 0) venue.cancel(working[s.cancel % working.length]!.clientOrderId);
        for (const o of s.orders) {
          const id = `o${ids.length}`;
          const ref = close.get(o.symbol)!;
          const intent: OrderIntent = { clientOrderId: id, idempotencyKey: id, correlationId: 'p', signalId: id, symbol: o.symbol, side: o.side, qty: o.qty, orderType: o.type, timeInForce: o.day ? 'day' : 'gtc', ts };
          if (o.type === 'limit') intent.limitPrice = ref * (1 + o.price);
          if (o.type === 'stop' || o.type === 'stop_limit') intent.stopPrice = ref * (1 + o.price);
          if (o.type === 'stop_limit') intent.limitPrice = intent.stopPrice! * (1 + o.limit);
          venue.submit(intent);
          ids.push(id);
        }
      });

      // Every fill, in the order the venue made them: by time, then submission order, then part.
      const fills: { f: Fill; seq: number; part: number }[] = [];
      ids.forEach((id, seq) => venue.fetchOrder(id)!.fills.forEach((f, part) => fills.push({ f, seq, part })));
      fills.sort((a, b) => a.f.ts - b.f.ts || a.seq - b.seq || a.part - b.part);
      const entries: LedgerEntry[] = [{ ts: T0, correlationId: 'p', kind: 'cash', symbol: null, amount: cash, price: null, fillId: null, memo: 'opening cash' }];
      let book = cash;
      const positions = new Map<string, BookPosition>();
      for (const { f } of fills) {
        const posted = postFill(book, positions.get(f.symbol) ?? FLAT, f, 'p');
        entries.push(...posted.entries);
        book = posted.cash;
        positions.set(f.symbol, posted.position);
      }
      const replayed = replayLedger(entries);
      const account = venue.fetchAccount();
      assert.equal(replayed.cash, account.cash, 'cash');
      assert.equal(book, account.cash, 'running cash');
      for (const symbol of SYMBOLS) {
        assert.equal(replayed.positions.get(symbol)?.qty ?? 0, account.positions.get(symbol) ?? 0, `${symbol} position`);
        if ((account.positions.get(symbol) ?? 0) !== 0) assert.equal(replayed.positions.get(symbol)!.avgCost, venue.averagePrice(symbol), `${symbol} average price`);
      }
    }),
    { numRuns: 300, seed: 14 },
  );
});
