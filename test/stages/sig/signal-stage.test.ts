import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { SignalStage } from '../../../src/stages/sig/signal-stage.ts';
import { assertEnoughBars, createStrategyRegistry, parseStrategyParams, resolvePack, StrategyRegistry } from '../../../src/stages/sig/registry.ts';
import type { ResolvedStrategy } from '../../../src/stages/sig/registry.ts';
import { defineStrategyPack } from '../../../src/stages/sig/strategy-pack.ts';
import type { StrategyPack, TradingView } from '../../../src/stages/sig/strategy-pack.ts';
import { PaperBroker } from '../../../src/adapters/venue/paper-broker.ts';
import { brokerBook } from '../../../src/stages/exec/broker-book.ts';
import { FeatureStage } from '../../../src/stages/feat/feature-stage.ts';
import { IngestStage } from '../../../src/stages/ing/ingest-stage.ts';
import { FileReplaySource } from '../../../src/adapters/data/file-replay-source.ts';
import { OrdinisError } from '../../../src/errors.ts';
import type { Signal } from '../../../src/domain/signal.ts';
import type { FeatureVector } from '../../../src/domain/features.ts';
import { DAY, ORCL, SPY, isoDate, makeCtx, refCases } from '../ing/fixtures.ts';

interface PipelineRun {
  signals: Signal[];
  vectors: FeatureVector[];
}

/** ING -> FEAT -> SIG, one cycle per batch time, as a backtest driver would run them. */
function pipeline(files: string[], symbols: string[], strategy: ResolvedStrategy, correlationId = 'run-1'): PipelineRun {
  const src = new FileReplaySource({ files, symbols });
  const times = [...src.timestamps()];
  const ing = new IngestStage({ source: src });
  const feat = new FeatureStage({ features: strategy.features });
  const sig = new SignalStage({ strategy });
  const out: PipelineRun = { signals: [], vectors: [] };
  times.forEach((t, i) => {
    const base = { cycleTime: t, cycleIndex: i, correlationId };
    const ING = ing.run(makeCtx({ ...base, stage: 'ING' }));
    const FEAT = feat.run(makeCtx({ ...base, stage: 'FEAT', data: { ING } }));
    const SIG = sig.run(makeCtx({ ...base, stage: 'SIG', data: { ING, FEAT } })) as Signal[]; // no book source: synchronous
    out.vectors.push(...FEAT.vectors);
    out.signals.push(...SIG);
  });
  return out;
}

/** RISK's mapping (LONG while flat -> buy, FLAT while long -> sell all): [signal date, side]. */
function ordersFrom(signals: Signal[]): [string, 'buy' | 'sell'][] {
  const long = new Map<string, boolean>();
  const out: [string, 'buy' | 'sell'][] = [];
  for (const s of signals) {
    const isLong = long.get(s.symbol) ?? false;
    if (s.direction === 'LONG' && !isLong) {
      out.push([isoDate(s.ts), 'buy']);
      long.set(s.symbol, true);
    } else if (s.direction === 'FLAT' && isLong) {
      out.push([isoDate(s.ts), 'sell']);
      long.set(s.symbol, false);
    }
  }
  return out;
}

const registry = createStrategyRegistry();

describe('built-in strategies reproduce the reference decisions', () => {
  const cases = refCases();

  test('case a (sma-cross 15/30, ORCL): the 175 signal dates and sides of every fill', () => {
    const c = cases.find((x) => x.id.startsWith('a_'))!;
    const run = pipeline([ORCL], ['ORCL'], registry.resolve('sma-cross', { fast: 15, slow: 30 }));
    const want = c.expected.all_fills.map((f) => [f[6], f[2]]);
    assert.equal(want.length, 175);
    assert.deepEqual(ordersFrom(run.signals), want);
    // The 2005-09-14 tie: the up-cross is signalled on 2005-09-15, not a bar early.
    assert.ok(run.signals.some((s) => isoDate(s.ts) === '2005-09-15' && s.direction === 'LONG'));
    assert.ok(!run.signals.some((s) => isoDate(s.ts) === '2005-09-14'));
  });

  test('case e (close-sma 15, 2006-day-001): the 23 signal dates and sides', () => {
    const c = cases.find((x) => x.id.startsWith('e_'))!;
    const run = pipeline([DAY], ['2006-day-001'], registry.resolve('close-sma', { period: 15 }));
    assert.deepEqual(
      ordersFrom(run.signals),
      c.expected.all_fills.map((f) => [f[6], f[2]]),
    );
  });
});

describe('signals only after warm-up', () => {
  const strategies: [string, Record<string, unknown>, string, number][] = [
    ['sma-cross', { fast: 5, slow: 20 }, SPY, 21],
    ['close-sma', { period: 10 }, SPY, 11],
    ['rsi', { period: 14, lower: 30, upper: 70 }, SPY, 15],
  ];
  for (const [id, params, file, firstBar] of strategies) {
    test(`${id}: no signal before bar ${firstBar}; every signal on a warm vector`, () => {
      const strat = registry.resolve(id, params);
      assert.equal(strat.warmupBars, firstBar);
      const run = pipeline([file], ['SPY'], strat);
      const firstWarm = run.vectors.findIndex((v) => v.warm);
      assert.equal(firstWarm + 1, firstBar);
      const warmAt = new Map(run.vectors.map((v) => [v.ts, v.warm]));
      assert.ok(run.signals.length > 0);
      for (const s of run.signals) assert.equal(warmAt.get(s.ts), true);
      assert.ok(run.signals[0]!.ts >= run.vectors[firstWarm]!.ts);
    });
  }

  test('rsi: LONG exactly on the bars with RSI < 30, FLAT exactly on those with RSI > 70 (strict)', () => {
    const run = pipeline([SPY], ['SPY'], registry.resolve('rsi', {}));
    const rsiAt = new Map(run.vectors.map((v) => [v.ts, v.features['rsi']]));
    const longs = run.signals.filter((s) => s.direction === 'LONG');
    const flats = run.signals.filter((s) => s.direction === 'FLAT');
    // Counts from an independent Python implementation of the same RSI on this file.
    assert.equal(longs.length, 83);
    assert.equal(flats.length, 449);
    for (const s of longs) assert.ok(rsiAt.get(s.ts)! < 30);
    for (const s of flats) assert.ok(rsiAt.get(s.ts)! > 70);
  });

  test('a strategy that needs more bars than the data has: E_SIG_WARMUP_INSUFFICIENT', () => {
    const strat = registry.resolve('sma-cross', { fast: 15, slow: 30 });
    assert.throws(() => assertEnoughBars(strat, 30, 'ORCL'), (e: unknown) => e instanceof OrdinisError && e.code === 'E_SIG_WARMUP_INSUFFICIENT' && /ORCL: 30 bar\(s\), but sma-cross@1.0.0 needs 31/.test(e.message));
    assertEnoughBars(strat, 31);
  });
});

describe('SignalStage', () => {
  const vector = (over: Partial<FeatureVector> = {}): FeatureVector => ({
    symbol: 'ORCL',
    ts: Date.UTC(2005, 8, 15),
    tf: '1d',
    featureVersion: 'feat_v1:test',
    features: { cross: 1 },
    warm: true,
    ...over,
  });
  const runWith = (strategy: ResolvedStrategy, vectors: FeatureVector[], correlationId = 'c1', attempt = 1): Signal[] =>
    new SignalStage({ strategy }).run(makeCtx({ cycleTime: Date.UTC(2005, 8, 15), stage: 'SIG', data: { FEAT: { vectors } }, correlationId, attempt })) as Signal[];

  test('provenance and a deterministic id', () => {
    const strat = registry.resolve('sma-cross', {});
    const [s] = runWith(strat, [vector()]);
    assert.deepEqual(s, {
      signalId: `c1:ORCL:sma-cross:${Date.UTC(2005, 8, 15)}`,
      symbol: 'ORCL',
      ts: Date.UTC(2005, 8, 15),
      direction: 'LONG',
      confidence: 1,
      horizon: 'next_bar',
      ttlMs: 86_400_000,
      modelId: 'sma-cross@1.0.0',
      strategyId: 'sma-cross',
      featureVersion: 'feat_v1:test',
      reason: 'cross_up',
    });
    assert.deepEqual(runWith(strat, [vector()]), [s]);
    assert.deepEqual(runWith(strat, [vector({ features: { cross: 0 } }), vector({ warm: false, features: { cross: -1 } })]), []);
  });

  test('a user-written pack in a few lines', () => {
    const emaTrend = defineStrategyPack({
      id: 'ema-trend',
      version: '1.0.0',
      params: z.object({ period: z.coerce.number().int().min(2).default(20) }),
      features: (p) => [
        { kind: 'ema', name: 'ema', period: p.period },
        { kind: 'crossover', name: 'cross', a: 'close', b: 'ema' },
      ],
      decide: (v) => (v.features['cross'] === 1 ? { direction: 'LONG', reason: 'close_above_ema' } : v.features['cross'] === -1 ? { direction: 'FLAT', reason: 'close_below_ema' } : null),
    });
    const reg = createStrategyRegistry([emaTrend]);
    assert.deepEqual(reg.list().map((p) => p.id), ['close-sma', 'ema-trend', 'rsi', 'sma-cross']);
    const strat = reg.resolve('ema-trend', parseStrategyParams('period=10'));
    assert.equal(strat.modelId, 'ema-trend@1.0.0');
    assert.equal(strat.warmupBars, 11);
    const run = pipeline([DAY], ['DAY'], strat);
    assert.ok(run.signals.length > 0);
    const vecAt = new Map(run.vectors.map((v) => [v.ts, v]));
    for (const s of run.signals) {
      const v = vecAt.get(s.ts)!;
      assert.equal(s.direction, v.features['cross'] === 1 ? 'LONG' : 'FLAT');
      assert.equal(s.featureVersion, 'feat_v1:ema=ema(close,10),cross=crossover(close,ema)');
    }
  });

  test('memory persists per symbol between bars', () => {
    const every3 = defineStrategyPack({
      id: 'every-third',
      version: '0.1.0',
      features: () => [{ kind: 'field', name: 'c', field: 'close' }],
      decide: (_v, memory) => {
        const n = ((memory['n'] as number | undefined) ?? 0) + 1;
        memory['n'] = n;
        return n % 3 === 0 ? { direction: 'LONG', reason: `bar_${n}`, confidence: 0.5 } : null;
      },
    });
    const stage = new SignalStage({ strategy: resolvePack(every3) });
    const out: Signal[] = [];
    for (let i = 1; i <= 6; i++) {
      const vs = ['A', 'B'].map((symbol) => vector({ symbol, ts: i, features: { c: 1 } }));
      out.push(...(stage.run(makeCtx({ cycleTime: i, stage: 'SIG', data: { FEAT: { vectors: vs } } })) as Signal[]));
    }
    assert.deepEqual(out.map((s) => `${s.symbol}${s.ts}:${s.reason}:${s.confidence}`), ['A3:bar_3:0.5', 'B3:bar_3:0.5', 'A6:bar_6:0.5', 'B6:bar_6:0.5']);
  });

  test('a retried attempt gives the same signals without calling the pack again', () => {
    let calls = 0;
    const counting = resolvePack(defineStrategyPack({ id: 'counting', version: '1', features: () => [], decide: () => (calls++, { direction: 'LONG', reason: 'x' }) }));
    const stage = new SignalStage({ strategy: counting });
    const ctx = (attempt: number) => makeCtx({ cycleTime: 5, stage: 'SIG', data: { FEAT: { vectors: [vector({ ts: 5 })] } }, attempt });
    const a = stage.run(ctx(1));
    const b = stage.run(ctx(2));
    assert.deepEqual(a, b);
    assert.equal(calls, 1);
  });

  test('a throwing pack: E_SIG_STRATEGY_FAILED naming model, symbol and time, with the cause', () => {
    const boom = resolvePack(defineStrategyPack({ id: 'boom', version: '2', features: () => [], decide: () => { throw new TypeError('bad math'); } }));
    assert.throws(
      () => runWith(boom, [vector()]),
      (e: unknown) => e instanceof OrdinisError && e.code === 'E_SIG_STRATEGY_FAILED' && /boom@2 failed on ORCL at 2005-09-15T00:00:00.000Z: bad math/.test(e.message) && e.cause instanceof TypeError,
    );
  });

  test('invalid output: E_SIG_INVALID_OUTPUT', () => {
    const bad: unknown[] = [{ direction: 'BUY', reason: 'x' }, { direction: 'LONG', reason: '' }, { direction: 'LONG', reason: 'x', confidence: 1.5 }, { direction: 'LONG', reason: 'x', confidence: NaN }, 'LONG'];
    for (const d of bad) {
      const pack = { id: 'bad-out', version: '1', features: () => [], decide: () => d } as unknown as StrategyPack<unknown>;
      assert.throws(() => runWith(resolvePack(pack), [vector()]), (e: unknown) => e instanceof OrdinisError && e.code === 'E_SIG_INVALID_OUTPUT', JSON.stringify(d));
    }
  });

  test('missing FEAT output: E_SIG_STRATEGY_FAILED; summarize counts by direction', () => {
    const stage = new SignalStage({ strategy: registry.resolve('sma-cross', {}) });
    assert.throws(() => stage.run(makeCtx({ cycleTime: 1, stage: 'SIG' })), (e: unknown) => e instanceof OrdinisError && e.code === 'E_SIG_STRATEGY_FAILED');
    const out = stage.run(makeCtx({ cycleTime: 1, stage: 'SIG', data: { FEAT: { vectors: [vector({ ts: 1 }), vector({ symbol: 'X', ts: 1, features: { cross: -1 } })] } } })) as Signal[];
    assert.deepEqual(stage.summarize(out), { signals: 2, LONG: 1, FLAT: 1, modelId: 'sma-cross@1.0.0' });
  });
});

describe('registry', () => {
  const cfg = (f: () => unknown, re: RegExp): void =>
    assert.throws(f, (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && re.test(e.message), String(re));

  test('unknown strategy: E_SIG_STRATEGY_UNKNOWN listing the known ones', () => {
    assert.throws(
      () => registry.resolve('macd', {}),
      (e: unknown) => e instanceof OrdinisError && e.code === 'E_SIG_STRATEGY_UNKNOWN' && /unknown strategy 'macd' \(known: close-sma, rsi, sma-cross\)/.test(e.message),
    );
  });

  test('parameter validation: defaults, coercion of CLI strings, clear errors', () => {
    assert.deepEqual(registry.resolve('sma-cross').params, { fast: 15, slow: 30 });
    assert.deepEqual(registry.resolve('sma-cross', parseStrategyParams('fast=10,slow=20')).params, { fast: 10, slow: 20 });
    assert.deepEqual(registry.resolve('rsi', { period: '7' }).params, { period: 7, lower: 30, upper: 70 });
    cfg(() => registry.resolve('sma-cross', { fast: 30, slow: 15 }), /strategy 'sma-cross': invalid parameters: fast: fast must be less than slow/);
    cfg(() => registry.resolve('sma-cross', { fast: 20, slow: 20 }), /fast must be less than slow/);
    cfg(() => registry.resolve('sma-cross', { fast: 'ten' }), /fast:/);
    cfg(() => registry.resolve('sma-cross', { fast: 0 }), /fast:/);
    cfg(() => registry.resolve('sma-cross', { fats: 10 }), /fats/);
    cfg(() => registry.resolve('close-sma', { period: 2.5 }), /period:/);
    cfg(() => registry.resolve('rsi', { lower: 80, upper: 70 }), /lower must be less than upper/);
    cfg(() => registry.resolve('rsi', { upper: 101 }), /upper:/);
  });

  test('parseStrategyParams', () => {
    assert.deepEqual(parseStrategyParams(undefined), {});
    assert.deepEqual(parseStrategyParams(' fast=5  slow=9 '), { fast: '5', slow: '9' });
    cfg(() => parseStrategyParams('fast'), /not key=value/);
    cfg(() => parseStrategyParams('a=1,a=2'), /given twice/);
  });

  test('registration: duplicate ids and malformed packs are refused; packs without params take none', () => {
    const r = new StrategyRegistry();
    const p = defineStrategyPack({ id: 'x', version: '1', features: () => [], decide: () => null });
    r.register(p);
    cfg(() => r.register(p), /already registered/);
    cfg(() => r.register({ ...p, id: 'Bad Id' }), /bad id/);
    cfg(() => r.register({ ...p, id: 'y', version: '' }), /needs a version/);
    cfg(() => r.resolve('x', { a: 1 }), /takes no parameters/);
    cfg(() => resolvePack({ ...p, id: 'z', features: () => [{ kind: 'sma', name: 's', period: -1 }] }), /bad feature declaration/);
    assert.equal(r.resolve('x').modelId, 'x@1');
  });
});

describe('what decide is shown of the book', () => {
  test("the venue's position (signed qty, average price, entry time, unrealized PnL), account and this symbol's working orders", () => {
    const D = 86_400_000;
    const broker = new PaperBroker({ startingCash: 1000 });
    const seen: TradingView[] = [];
    const watcher = defineStrategyPack({ id: 'watch', version: '1', features: () => [], decide: (_v, _m, _p, book) => void seen.push(book) });
    const stage = new SignalStage({ strategy: resolvePack(watcher), book: brokerBook(broker) });
    const bar = (symbol: string, ts: number, open: number, close: number) => ({ symbol, ts, open, high: Math.max(open, close), low: Math.min(open, close), close, volume: 0 });
    const order = (id: string, symbol: string, side: 'buy' | 'sell', qty: number, ts: number, extra = {}) =>
      broker.submit({ clientOrderId: id, idempotencyKey: id, correlationId: 'c', signalId: id, symbol, side, qty, orderType: 'market', timeInForce: 'gtc', ts, ...extra });
    const cycle = (ts: number, bars: ReturnType<typeof bar>[]) => {
      broker.onBars(bars);
      return stage.run(makeCtx({ cycleTime: ts, stage: 'SIG', data: { ING: { asOf: ts, bars }, FEAT: { vectors: bars.map((b) => vector(b.symbol, b.ts)) } } }));
    };
    cycle(D, [bar('A', D, 10, 10), bar('B', D, 50, 50)]);
    assert.deepEqual(seen[0], { position: { qty: 0, avgPrice: 0, entryTs: undefined, unrealizedPnl: 0 }, account: { cash: 1000, equity: 1000 }, openOrders: [] });
    order('s1', 'A', 'sell', 4, D);
    order('l1', 'B', 'buy', 1, D, { orderType: 'limit', limitPrice: 40 });
    cycle(2 * D, [bar('A', 2 * D, 10, 12), bar('B', 2 * D, 50, 51)]);
    const [a, b] = seen.slice(2); // cycle 2: A, then B
    assert.deepEqual(a!.position, { qty: -4, avgPrice: 10, entryTs: 2 * D, unrealizedPnl: -8 });
    assert.deepEqual(a!.account, { cash: 1040, equity: 1040 - 48 });
    assert.deepEqual(a!.openOrders, []);
    assert.deepEqual(b!.openOrders.map((o) => [o.clientOrderId, o.orderType, o.limitPrice]), [['l1', 'limit', 40]]);
    // The entry time is rebuilt from the stored fills after a restart.
    const again = new PaperBroker({ state: broker.exportState() });
    assert.equal(again.fetchBook().positions.get('A')?.entryTs, 2 * D);
  });

  function vector(symbol: string, ts: number): FeatureVector {
    return { symbol, ts, tf: '1d', featureVersion: 'v', features: {}, warm: true };
  }
});

describe('explicit orders and cancels from decide', () => {
  const vec = (ts: number): FeatureVector => ({ symbol: 'A', ts, tf: '1d', featureVersion: 'v', features: {}, warm: true });
  const runWith = (decision: unknown, ts = 1): Signal[] => {
    const pack = defineStrategyPack({ id: 'explicit', version: '1', features: () => [], decide: () => decision as never });
    return new SignalStage({ strategy: resolvePack(pack) }).run(makeCtx({ cycleTime: ts, stage: 'SIG', data: { FEAT: { vectors: [vec(ts)] } } })) as Signal[];
  };

  test('a signal per cancel, the direction, then one per order, with ids of their own; an order signal carries its request and a direction from its side', () => {
    const out = runWith({
      reason: 'mixed',
      direction: 'FLAT',
      cancel: ['ord-1'],
      orders: [{ side: 'buy', type: 'limit', limitPrice: 9.5, equityFraction: 0.25, timeInForce: 'day' }, { side: 'sell', type: 'stop', stopPrice: 8, qty: 3 }],
    });
    assert.deepEqual(
      out.map((s) => [s.signalId.split(':').slice(-1)[0], s.direction, s.cancel, s.order?.type]),
      [['1/cancel/0', 'FLAT', 'ord-1', undefined], ['1', 'FLAT', undefined, undefined], ['1/0', 'LONG', undefined, 'limit'], ['1/1', 'SHORT', undefined, 'stop']],
    );
    assert.deepEqual(out[2]!.order, { side: 'buy', type: 'limit', limitPrice: 9.5, equityFraction: 0.25, timeInForce: 'day' });
  });

  test('orders sharing an ocoGroup name their group\'s first order; another group or none is apart', () => {
    const out = runWith({ reason: 'oco', orders: [
      { side: 'buy', type: 'stop', stopPrice: 11, ocoGroup: 'g' },
      { side: 'sell', type: 'stop', stopPrice: 9, ocoGroup: 'g' },
      { side: 'sell', type: 'limit', limitPrice: 12, ocoGroup: 'h' },
      { side: 'buy', qty: 1 },
    ] });
    const tail = (id?: string) => id?.split(':').slice(-1)[0];
    assert.deepEqual(out.map((s) => [tail(s.signalId), tail(s.ocoLeader)]), [['1/0', undefined], ['1/1', '1/0'], ['1/2', undefined], ['1/3', undefined]]);
  });

  test('a malformed order or cancel is E_SIG_INVALID_OUTPUT naming what is wrong', () => {
    const bad = (decision: unknown, msg: RegExp) =>
      assert.throws(() => runWith(decision), (e: unknown) => e instanceof OrdinisError && e.code === 'E_SIG_INVALID_OUTPUT' && msg.test(e.message));
    bad({ reason: 'r' }, /needs a direction, orders or cancel/);
    bad({ reason: 'r', orders: [{ side: 'hold' }] }, /orders\[0\]: side 'hold' is not buy or sell/);
    bad({ reason: 'r', orders: [{ side: 'buy', type: 'limit' }] }, /orders\[0\]: a limit order needs limitPrice > 0 \(got undefined\)/);
    bad({ reason: 'r', orders: [{ side: 'buy', type: 'stop_limit', limitPrice: 1 }] }, /stop_limit order needs stopPrice > 0/);
    bad({ reason: 'r', orders: [{ side: 'buy', type: 'trailing' }] }, /type 'trailing' is not market, limit, stop, stop_limit, stop_trail or stop_trail_limit/);
    bad({ reason: 'r', orders: [{ side: 'sell', type: 'stop_trail_limit', stopPrice: 10, trailAmount: 1 }] }, /a stop_trail_limit order needs limitPrice > 0 \(got undefined\)/);
    bad({ reason: 'r', orders: [{ side: 'sell', type: 'stop_trail_limit', limitPrice: 9, trailAmount: 1 }] }, /a stop_trail_limit order needs stopPrice > 0 \(got undefined\)/);
    bad({ reason: 'r', orders: [{ side: 'sell', type: 'stop_trail_limit', stopPrice: 10, limitPrice: 9 }] }, /a stop_trail_limit order needs one of trailAmount, trailPercent/);
    bad({ reason: 'r', orders: [{ side: 'buy', qty: 1, equityFraction: 0.5 }] }, /one of qty, equityFraction, riskFraction/);
    bad({ reason: 'r', orders: [{ side: 'buy', riskFraction: 0.01 }] }, /sizing by risk needs stopDistance > 0 \(got undefined\)/);
    bad({ reason: 'r', orders: [{ side: 'buy', stopDistance: 2 }] }, /stopDistance is for sizing by risk/);
    bad({ reason: 'r', orders: [{ side: 'buy', qty: 1.5 }] }, /qty must be a whole number > 0/);
    bad({ reason: 'r', orders: [{ side: 'buy', equityFraction: 2 }] }, /equityFraction must be in \(0, 1\]/);
    bad({ reason: 'r', orders: [{ side: 'buy', timeInForce: 'ioc' }] }, /timeInForce 'ioc' is not gtc or day/);
    bad({ reason: 'r', cancel: [''] }, /cancel must be an array of client order ids/);
    bad({ reason: 'r', orders: [{ side: 'sell', type: 'stop_trail' }] }, /stop_trail order needs one of trailAmount, trailPercent/);
    bad({ reason: 'r', orders: [{ side: 'buy', bracket: {} }] }, /bracket needs stopLoss and\/or takeProfit/);
    bad({ reason: 'r', orders: [{ side: 'buy', ocoWith: 'ord-1', ocoGroup: 'g' }] }, /ocoGroup or ocoWith, not both/);
    bad({ reason: 'r', orders: [{ side: 'buy', ocoWith: '' }] }, /ocoWith must be a client order id/);
    bad({ reason: 'r', orders: [{ side: 'buy', bracket: { stopLoss: -1 } }] }, /bracket stopLoss must be > 0/);
    bad({ reason: 'r', orders: [{ side: 'sell', type: 'stop_trail', trailPercent: 5 }] }, /trailPercent must be in \(0, 1\)/);
  });
});
