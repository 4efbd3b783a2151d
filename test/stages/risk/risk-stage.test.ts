import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountView } from '../../../src/domain/portfolio.ts';
import type { RiskDecision } from '../../../src/domain/risk.ts';
import type { Signal } from '../../../src/domain/signal.ts';
import type { Bar } from '../../../src/domain/market.ts';
import { RiskStage, brokerWorkingSymbols, type RiskStageOptions } from '../../../src/stages/risk/risk-stage.ts';
import { PaperBroker } from '../../../src/adapters/venue/paper-broker.ts';
import { DEFAULT_POLICY_CHAIN } from '../../../src/stages/risk/chain.ts';
import { DAY, T0, bar, makeCtx, signal } from '../exec/support.ts';

function account(cash: number, positions: Record<string, number> = {}): AccountView {
  return { cash, positions: new Map(Object.entries(positions)) };
}

function decide(stage: RiskStage, signals: Signal[], bars: Bar[], extra: { ts?: number; killed?: boolean; stale?: boolean; correlationId?: string } = {}): RiskDecision[] {
  const ts = extra.ts ?? T0;
  return stage.run(
    makeCtx({
      cycleTime: ts,
      killed: extra.killed ?? false,
      ...(extra.correlationId ? { correlationId: extra.correlationId } : {}),
      data: { ING: { asOf: ts, bars, ...(extra.stale ? { stale: { reason: 'feed lag', lagMs: 9000 } } : {}) }, SIG: signals },
    }),
  ) as RiskDecision[];
}

function stage(acc: () => AccountView, opts: Partial<RiskStageOptions> = {}): RiskStage {
  return new RiskStage({ account: acc, ...opts });
}

test("decides against the broker's account and sizes by weight at the decision close", () => {
  const s = stage(() => account(10000), { config: { sizing: { kind: 'weight', weight: 0.5 } } });
  const [d] = decide(s, [signal('X', 'LONG', T0)], [bar('X', T0, 30, 33)]);
  assert.equal(d.allowed, true);
  assert.deepEqual(d.reasons, ['RISK.OK']);
  assert.deepEqual(d.order, { side: 'buy', qty: Math.floor((0.5 * 10000) / 33), referencePrice: 33 });
  assert.equal(d.policyVersion, 'risk_v1');
  assert.equal(d.ts, T0);
});

test('submission-order cash check: a sale earlier in the order funds a later buy', () => {
  const acc = account(100, { A: 10 });
  const s = stage(() => acc, { config: { sizing: { kind: 'fixed', qty: 15 } } });
  const bars = [bar('A', T0, 10, 10), bar('B', T0, 10, 10)];
  const ok = decide(s, [signal('A', 'FLAT', T0), signal('B', 'LONG', T0)], bars);
  assert.deepEqual(ok.map((d) => d.allowed), [true, true]);
  // The same decisions in the other order: the buy comes first and finds only 100.
  const rev = decide(s, [signal('B', 'LONG', T0), signal('A', 'FLAT', T0)], bars);
  assert.equal(rev[0].allowed, false);
  assert.deepEqual(rev[0].reasons, ['RISK.CASH.INSUFFICIENT']);
  assert.deepEqual(rev[0].order, { side: 'buy', qty: 15, referencePrice: 10 }, 'the attempted order stays on the decision');
  assert.equal(rev[1].allowed, true);
});

test('like backtrader, a rejected buy leaves its deficit in the running cash for later orders', () => {
  const s = stage(() => account(100), { config: { sizing: { kind: 'fixed', qty: 15 } } });
  const out = decide(s, [signal('A', 'LONG', T0), signal('B', 'LONG', T0)], [bar('A', T0, 10, 10), bar('B', T0, 1, 1)]);
  // A: 100 - 150 = -50 → rejected; B alone (15) would fit in 100, but -50 - 15 < 0.
  assert.deepEqual(out.map((d) => d.reasons[0]), ['RISK.CASH.INSUFFICIENT', 'RISK.CASH.INSUFFICIENT']);
});

test('commission is part of the submission cash check', () => {
  const s = stage(() => account(100), { config: { sizing: { kind: 'fixed', qty: 10 }, commission: { kind: 'fixed', perFill: 0.01 } } });
  const [d] = decide(s, [signal('A', 'LONG', T0)], [bar('A', T0, 10, 10)]);
  assert.deepEqual(d.reasons, ['RISK.CASH.INSUFFICIENT']);
});

test('kill switch (enforcement point #2): every signal is denied RISK.KILL.ACTIVE', () => {
  const s = stage(() => account(100, { A: 1 }));
  const out = decide(s, [signal('A', 'FLAT', T0), signal('B', 'LONG', T0)], [bar('A', T0, 1, 1), bar('B', T0, 1, 1)], { killed: true });
  assert.deepEqual(out.map((d) => [d.allowed, d.reasons[0], d.order]), [
    [false, 'RISK.KILL.ACTIVE', undefined],
    [false, 'RISK.KILL.ACTIVE', undefined],
  ]);
});

test('stale market data denies with RISK.DATA.STALE', () => {
  const s = stage(() => account(100));
  assert.deepEqual(decide(s, [signal('A', 'LONG', T0)], [bar('A', T0, 1, 1)], { stale: true })[0].reasons, ['RISK.DATA.STALE']);
});

test('max drawdown is measured from the peak equity seen across cycles; exits stay allowed', () => {
  let acc = account(0, { A: 100 });
  const s = stage(() => acc);
  decide(s, [], [bar('A', T0, 100, 100)]); // equity 10000 = peak
  assert.equal(s.peakEquity, 10000);
  const later = [bar('A', T0 + DAY, 75, 75)]; // equity 7500: 25% down
  acc = account(0, { A: 100 });
  const out = decide(s, [signal('B', 'LONG', T0 + DAY), signal('A', 'FLAT', T0 + DAY)], [...later, bar('B', T0 + DAY, 1, 1)], { ts: T0 + DAY });
  assert.deepEqual(out.map((d) => d.reasons[0]), ['RISK.DRAWDOWN.MAX_DRAWDOWN_BREACH', 'RISK.OK']);
});

test("unresolved orders block their symbol, and so does this cycle's earlier decision on it", () => {
  const s = stage(() => account(1000), { workingSymbols: () => ['A'] });
  const out = decide(s, [signal('A', 'LONG', T0), signal('B', 'LONG', T0), signal('B', 'LONG', T0)], [bar('A', T0, 1, 1), bar('B', T0, 1, 1)]);
  assert.deepEqual(out.map((d) => d.reasons[0]), ['RISK.ORDER.WORKING', 'RISK.OK', 'RISK.ORDER.WORKING']);
});

test('a cycle without signals still tracks peak equity and records its (empty) decisions, but does not ask for working orders', () => {
  let asked = 0;
  const recorded: number[] = [];
  const s = stage(() => account(500, { A: 10 }), {
    workingSymbols: () => {
      asked++;
      return [];
    },
    sink: { record: (_c, ds) => void recorded.push(ds.length) },
  });
  assert.deepEqual(decide(s, [], [bar('A', T0, 50, 50)]), []);
  assert.equal(s.peakEquity, 1000);
  assert.equal(asked, 0);
  decide(s, [signal('A', 'FLAT', T0 + DAY)], [bar('A', T0 + DAY, 40, 40)], { ts: T0 + DAY });
  assert.equal(asked, 1);
  assert.deepEqual(recorded, [0, 1]);
});

test('an asynchronous sink makes the stage wait for the record', async () => {
  let done = false;
  const s = stage(() => account(1000), { sink: { record: () => new Promise<void>((r) => setTimeout(() => ((done = true), r()), 5)) } });
  const r = s.run(makeCtx({ data: { ING: { asOf: T0, bars: [bar('A', T0, 1, 1)] }, SIG: [signal('A', 'LONG', T0)] } }));
  assert.ok(r instanceof Promise);
  assert.equal((await r).length, 1);
  assert.equal(done, true);
});

test('a symbol without a bar this cycle is priced at its last close', () => {
  const s = stage(() => account(1000));
  decide(s, [], [bar('A', T0, 5, 6)]);
  const [d] = decide(s, [signal('A', 'LONG', T0 + DAY)], [bar('B', T0 + DAY, 1, 1)], { ts: T0 + DAY });
  assert.equal(d.order?.referencePrice, 6);
  const [none] = decide(s, [signal('Z', 'LONG', T0 + DAY)], [], { ts: T0 + DAY });
  assert.deepEqual(none.reasons, ['RISK.PRICE.MISSING']);
});

test('decisions go to the sink under the correlation id; summarize counts them', () => {
  const recorded: [string, number][] = [];
  const s = stage(() => account(1000), { sink: { record: (c, ds) => void recorded.push([c, ds.length]) }, policyVersion: 'risk_test' });
  const out = decide(s, [signal('A', 'LONG', T0), signal('A', 'FLAT', T0)], [bar('A', T0, 1, 1)], { correlationId: 'corr-1' });
  assert.deepEqual(recorded, [['corr-1', 2]]);
  assert.equal(out[0].policyVersion, 'risk_test');
  assert.deepEqual(s.summarize(out), { signals: 2, allowed: 1, denied: 1, reasons: { 'RISK.OK': 1, 'RISK.ORDER.WORKING': 1 } });
});

test('an asynchronous account provider makes the stage asynchronous', async () => {
  const s = new RiskStage({ account: async () => account(1000) });
  const r = s.run(makeCtx({ data: { ING: { asOf: T0, bars: [bar('A', T0, 1, 1)] }, SIG: [signal('A', 'LONG', T0)] } }));
  assert.ok(r instanceof Promise);
  assert.equal((await r)[0].allowed, true);
});

test("brokerWorkingSymbols lists the symbols of the broker's unresolved orders", () => {
  const b = new PaperBroker();
  b.submit({ clientOrderId: 'c', idempotencyKey: 'k', correlationId: 'x', signalId: 's', symbol: 'Q', side: 'buy', qty: 1, orderType: 'market', timeInForce: 'gtc', ts: T0 });
  assert.deepEqual(brokerWorkingSymbols(b)(), ['Q']);
  const s = stage(() => account(1000), { workingSymbols: brokerWorkingSymbols(b) });
  assert.deepEqual(decide(s, [signal('Q', 'LONG', T0)], [bar('Q', T0, 1, 1)])[0].reasons, ['RISK.ORDER.WORKING']);
});

test('a reversal is two decisions in order: the close (the signal id), then the opening order (<id>/open) against the flat account', () => {
  const s = stage(() => account(1000, { X: 4, Y: -6 }), { config: { sizing: { kind: 'fixed', qty: 10 } } });
  const short = signal('X', 'SHORT', T0);
  const long = signal('Y', 'LONG', T0);
  const out = decide(s, [short, long], [bar('X', T0, 10, 10), bar('Y', T0, 20, 20)]);
  assert.deepEqual(
    out.map((d) => [d.signalId, d.allowed, d.order?.side, d.order?.qty]),
    [
      [short.signalId, true, 'sell', 4],
      [`${short.signalId}/open`, true, 'sell', 10],
      [long.signalId, true, 'buy', 6],
      [`${long.signalId}/open`, true, 'buy', 10],
    ],
  );
  // The cash check ran on all four in turn: 1000 + 40 + 100 - 120 - 200 = 820 >= 0.
});

test('the opening order of a reversal meets the cash check after its close; no opening order when the close is denied', () => {
  // Covering 6 at 20 takes 120 of 100: the close is rejected, nothing is opened.
  const poor = stage(() => account(100, { Y: -6 }), { config: { sizing: { kind: 'fixed', qty: 10 } } });
  const denied = decide(poor, [signal('Y', 'LONG', T0)], [bar('Y', T0, 20, 20)]);
  assert.deepEqual(denied.map((d) => d.reasons[0]), ['RISK.CASH.INSUFFICIENT']);
  // 300 covers 6 (180 left) but not 10 more at 20.
  const s = stage(() => account(300, { Y: -6 }), { config: { sizing: { kind: 'fixed', qty: 10 } } });
  const out = decide(s, [signal('Y', 'LONG', T0)], [bar('Y', T0, 20, 20)]);
  assert.deepEqual(out.map((d) => [d.allowed, d.reasons[0]]), [[true, 'RISK.OK'], [false, 'RISK.CASH.INSUFFICIENT']]);
  // A working order on the symbol denies the close, and so the reversal.
  const busy = stage(() => account(1000, { Y: -6 }), { workingSymbols: () => ['Y'] });
  assert.deepEqual(decide(busy, [signal('Y', 'LONG', T0)], [bar('Y', T0, 20, 20)]).map((d) => d.reasons[0]), ['RISK.ORDER.WORKING']);
});

test('against a paper venue: SHORT while flat sells short, FLAT while short buys to cover', () => {
  const b = new PaperBroker({ startingCash: 1000 });
  const s = stage(() => b.fetchAccount(), { workingSymbols: brokerWorkingSymbols(b), config: { sizing: { kind: 'fixed', qty: 5 } } });
  b.onBar(bar('X', T0, 10, 10));
  const [open] = decide(s, [signal('X', 'SHORT', T0)], [bar('X', T0, 10, 10)]);
  assert.deepEqual(open.order, { side: 'sell', qty: 5, referencePrice: 10 });
  b.submit({ clientOrderId: 'a', idempotencyKey: 'a', correlationId: 'c', signalId: open.signalId, symbol: 'X', side: 'sell', qty: 5, orderType: 'market', timeInForce: 'gtc', ts: T0 });
  b.onBar(bar('X', T0 + DAY, 11, 12));
  assert.equal(b.fetchAccount().positions.get('X'), -5);
  const [cover] = decide(s, [signal('X', 'FLAT', T0 + DAY)], [bar('X', T0 + DAY, 11, 12)], { ts: T0 + DAY });
  assert.deepEqual(cover.order, { side: 'buy', qty: 5, referencePrice: 12 });
});

test("an explicit order is decided as it is: sized at its own price, checked at it, no reversal split, beside a working order; a cancel is allowed even under the kill switch", () => {
  const s = stage(() => account(1000, { X: 5 }), { workingSymbols: () => ['X'] });
  const limit = signal('X', 'LONG', T0, { order: { side: 'buy', type: 'limit', limitPrice: 8, equityFraction: 0.5 } });
  const flip = signal('X', 'SHORT', T0, { order: { side: 'sell', qty: 12 } });
  const out = decide(s, [limit, flip], [bar('X', T0, 10, 10)]);
  // equity 1000 + 5 × 10 = 1050; half of it at the limit 8 is 65 shares, checked at 8 (520 of 1000).
  assert.deepEqual(out[0]!.order, { side: 'buy', qty: 65, referencePrice: 8, terms: { orderType: 'limit', limitPrice: 8 } });
  assert.deepEqual(out[1]!.order, { side: 'sell', qty: 12, referencePrice: 10, terms: { orderType: 'market' } });
  assert.deepEqual(out.map((d) => d.allowed), [true, true]);
  // A trailing stop is checked where it starts: the close 10 less its trail.
  const [trail] = decide(stage(() => account(1000, { X: 5 })), [signal('X', 'SHORT', T0, { order: { side: 'sell', type: 'stop_trail', trailPercent: 0.05, qty: 5 } })], [bar('X', T0, 10, 10)]);
  assert.deepEqual(trail!.order, { side: 'sell', qty: 5, referencePrice: 10 - 10 * 0.05, terms: { orderType: 'stop_trail', trailPercent: 0.05 } });
  const killed = decide(s, [signal('X', 'FLAT', T0, { cancel: 'ord-1' })], [bar('X', T0, 10, 10)], { killed: true });
  assert.deepEqual(killed.map((d) => [d.allowed, d.cancel, d.order]), [[true, 'ord-1', undefined]]);
});

test('sizing by risk: floor(riskFraction × equity / stopDistance) shares, checked at the order price; too small is RISK.SIZE.ZERO', () => {
  const s = stage(() => account(10_000));
  const atr = 1.25;
  const [d] = decide(s, [signal('X', 'LONG', T0, { order: { side: 'buy', riskFraction: 0.01, stopDistance: 2 * atr } })], [bar('X', T0, 10, 10)]);
  assert.deepEqual(d!.order, { side: 'buy', qty: 40, referencePrice: 10, terms: { orderType: 'market' } }); // 100 risked over 2.5 a share
  const [tiny] = decide(s, [signal('X', 'LONG', T0, { order: { side: 'buy', riskFraction: 0.0001, stopDistance: 5 } })], [bar('X', T0, 10, 10)]);
  assert.deepEqual([tiny!.allowed, tiny!.reasons], [false, ['RISK.SIZE.ZERO']]);
});

test('a bracket is its entry, then stop-loss and take-profit for the same size against the position it leaves; a child denied denies the bracket', () => {
  const s = stage(() => account(1000), { config: { sizing: { kind: 'fixed', qty: 10 } } });
  const entry = signal('X', 'LONG', T0, { order: { side: 'buy', type: 'limit', limitPrice: 9, bracket: { stopLoss: 8, takeProfit: 11 } } });
  const out = decide(s, [entry], [bar('X', T0, 10, 10)]);
  assert.deepEqual(
    out.map((d) => [d.signalId.slice(entry.signalId.length), d.allowed, d.parentSignalId, d.order?.side, d.order?.qty, d.order?.terms?.orderType, d.order?.referencePrice]),
    [
      ['', true, undefined, 'buy', 10, 'limit', 9],
      ['/sl', true, entry.signalId, 'sell', 10, 'stop', 8],
      ['/tp', true, entry.signalId, 'sell', 10, 'limit', 11],
    ],
  );
  // A custom policy that refuses take-profits: the whole bracket is denied.
  const noTp = { id: 'no-tp', evaluate: (sig: Signal) => (sig.signalId.endsWith('/tp') ? { verdict: 'deny' as const, reason: 'custom:no_tp' as const } : { verdict: 'pass' as const }) };
  const strict = stage(() => account(1000), { config: { sizing: { kind: 'fixed', qty: 10 } }, policies: [...DEFAULT_POLICY_CHAIN, noTp] });
  const denied = decide(strict, [entry], [bar('X', T0, 10, 10)]);
  assert.deepEqual(denied.map((d) => [d.allowed, d.reasons[0]]), [[false, 'RISK.BRACKET.CHILD_DENIED'], [false, 'RISK.BRACKET.CHILD_DENIED'], [false, 'custom:no_tp']]);
});
