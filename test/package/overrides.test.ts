// Replace one part, keep the rest: a user's RISK policy added to the default chain, a user's
// stage in place of a default engine, through the public API only (assemblePipeline for an
// embedded engine driven by its own trigger, runBacktest and runStrategy for backtests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArrayBarSource, DEFAULT_POLICY_CHAIN, DefaultBacktestDriver, ManualClock, OrdinisError, PASS, SeededRandom, assemblePipeline, deny, loadConfig, memoryStores,
  resolvePack, runBacktest, smaCross,
  type AnalyticsReport, type Bar, type CycleResult, type RiskPolicy, type Signal, type Stage, type StageContext,
} from '../../src/index.ts';
import { barsFromCloses, runStrategy } from '../../src/testing/index.ts';

const config = loadConfig({ env: {} }).config;
// Two crossings up and one down for sma-cross 2/3: three signals, two of them entries.
const CLOSES = [5, 4, 3, 4, 5, 6, 7, 6, 5, 4, 3, 4, 5, 6];
const PARAMS = { fast: 2, slow: 3 };

/** Denies every entry (a buy) with a reason code of its own. */
const noEntries: RiskPolicy = {
  id: 'no-entries',
  evaluate: (_signal, ctx) => (ctx.order?.side === 'buy' ? deny('custom:no_entries', 'entries are off') : PASS),
};

/** An engine embedded in an application: paper mode, a book in memory, cycles run by the caller's own trigger. */
async function driveEmbedded(bars: readonly Bar[], riskPolicies?: readonly RiskPolicy[]): Promise<CycleResult[]> {
  const pipeline = assemblePipeline({
    mode: 'paper',
    config,
    source: new ArrayBarSource(bars),
    strategy: resolvePack(smaCross, PARAMS),
    sizing: { kind: 'fixed', qty: 1 },
    startingCash: 10_000,
    commission: { kind: 'none' },
    stores: memoryStores(),
    clock: new ManualClock(bars[0]!.ts),
    random: new SeededRandom(7),
    cycleTelemetry: { trace: false, metrics: false },
    ...(riskPolicies ? { riskPolicies } : {}),
  });
  const { engine } = pipeline;
  engine.start();
  const results: CycleResult[] = [];
  try {
    for (const bar of bars) results.push(await engine.runCycle({ kind: 'manual', at: bar.ts }));
  } finally {
    await engine.stop();
  }
  return results;
}

function riskReasons(results: readonly CycleResult[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const r of results) {
    const out = r.stageResults.find((s) => s.stage === 'RISK')?.output as { reasons?: Record<string, number> } | null;
    for (const [k, n] of Object.entries(out?.reasons ?? {})) total[k] = (total[k] ?? 0) + n;
  }
  return total;
}

test('an embedded engine runs cycles on its own trigger; a custom policy added to the default chain denies with its own reason code', async () => {
  const bars = barsFromCloses(CLOSES);
  const plain = await driveEmbedded(bars);
  assert.ok(plain.every((r) => r.status === 'ok'), JSON.stringify(plain.map((r) => r.status)));
  assert.equal(riskReasons(plain)['RISK.OK'], 3);

  const custom = await driveEmbedded(bars, [...DEFAULT_POLICY_CHAIN, noEntries]);
  assert.ok(custom.every((r) => r.status === 'ok'));
  // Both entries denied by the custom policy; the exit finds no position (nothing bought).
  assert.deepEqual(riskReasons(custom), { 'custom:no_entries': 2, 'RISK.POSITION.NO_CHANGE': 1 });
});

test('a custom policy\'s deny in a backtest: no entry, no fill; the default chain alone trades', async () => {
  const bars = barsFromCloses(CLOSES);
  const base = await runStrategy(smaCross, { bars, params: PARAMS });
  assert.equal(base.fills.length, 3);
  const denied = await runStrategy(smaCross, { bars, params: PARAMS, riskPolicies: [...DEFAULT_POLICY_CHAIN, noEntries] });
  assert.equal(denied.fills.length, 0);
  assert.equal(denied.result.finalValue, 10_000);
});

test('a policy denying with a code that is neither built in nor custom:<name> is recorded as RISK.EXCEPTION', async () => {
  const typo: RiskPolicy = { id: 'typo', evaluate: () => deny('NO_ENTRIES' as never) };
  const results = await driveEmbedded(barsFromCloses(CLOSES), [typo]);
  assert.deepEqual(riskReasons(results), { 'RISK.EXCEPTION': 3 });
});

test('a malformed policy chain is refused before anything runs (E_CFG_INVALID, naming the policy)', async () => {
  await assert.rejects(
    runStrategy(smaCross, { bars: barsFromCloses(CLOSES), params: PARAMS, riskPolicies: [...DEFAULT_POLICY_CHAIN, { id: 'half' } as never] }),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && /risk policies\[8\] \('half'\)/.test(e.message),
  );
});

test('a replaced ANA runs every cycle in place of the default, and the backtest still produces its whole result', async () => {
  const seen: number[] = [];
  const myAna: Stage<'ANA'> = {
    name: 'ANA',
    run(ctx: StageContext): AnalyticsReport {
      const port = ctx.data.PORT!;
      seen.push(port.equity);
      return { ts: ctx.cycleTime, equity: port.equity, kpis: {} as AnalyticsReport['kpis'], quality: [] };
    },
  };
  const bt = { dataFiles: [], strategy: smaCross, strategyParams: PARAMS, sizing: { kind: 'fixed', qty: 1 } as const, cash: 10_000, commission: { kind: 'none' } as const };
  const plain = await runBacktest({ ...bt, source: new ArrayBarSource(barsFromCloses(CLOSES)) }, { config });
  const replaced = await runBacktest({ ...bt, source: new ArrayBarSource(barsFromCloses(CLOSES)) }, { config, stages: { ANA: myAna } });
  assert.equal(seen.length, CLOSES.length);
  assert.equal(seen.at(-1), plain.result.finalValue);
  assert.equal(replaced.result.status, 'ok');
  assert.deepEqual({ ...replaced.result, runId: '' }, { ...plain.result, runId: '' });
  assert.deepEqual(replaced.artifacts, plain.artifacts);
});

test('any stage can be replaced: a SIG of the user\'s own feeds the default RISK, EXEC and venue', async () => {
  const bars = barsFromCloses([10, 11, 12, 13]);
  // Wants to be long from the first bar on; RISK buys once, then sees nothing to change.
  const alwaysLong: Stage<'SIG'> = {
    name: 'SIG',
    run: (ctx): Signal[] =>
      (ctx.data.ING?.bars ?? []).map((b) => ({
        signalId: `${ctx.correlationId}-${b.symbol}`, symbol: b.symbol, ts: b.ts, direction: 'LONG', confidence: 1, horizon: '1d', ttlMs: 0,
        modelId: 'always-long@1', strategyId: 'always-long', featureVersion: 'none', reason: 'always',
      })),
  };
  const run = await runStrategy(smaCross, { bars, stages: { SIG: alwaysLong }, sizing: { kind: 'fixed', qty: 5 } });
  assert.deepEqual(run.fills.map((f) => [f.ts.slice(0, 10), f.side, f.qty, f.price]), [['2020-01-02', 'buy', 5, 11]]);
  assert.equal(run.result.finalValue, 10_000 + 5 * (13 - 11));
});

test('a stage in the wrong slot is refused at start (E_ORCH_STAGE_SPEC_INVALID)', async () => {
  const misnamed = { name: 'SIG', run: () => ({}) } as unknown as Stage<'ANA'>;
  await assert.rejects(runStrategy(smaCross, { bars: barsFromCloses(CLOSES), params: PARAMS, stages: { ANA: misnamed } }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_ORCH_STAGE_SPEC_INVALID' && /calls itself 'SIG'/.test(e.message));
});

test('a slot given as undefined keeps its default engine', async () => {
  const bars = barsFromCloses(CLOSES);
  const base = await runStrategy(smaCross, { bars, params: PARAMS });
  const same = await runStrategy(smaCross, { bars, params: PARAMS, stages: { ANA: undefined, SIG: undefined } });
  assert.deepEqual(same.fills, base.fills);
  assert.deepEqual(same.kpis, base.kpis);
});

test('the spec\'s engine.runBacktest(config) on an embedded engine: a backtest of its own, the engine\'s book untouched', async () => {
  const ORCL = new URL('../../samples/orcl-1995-2014.txt', import.meta.url).pathname;
  const bars = barsFromCloses(CLOSES);
  const { engine, venue } = assemblePipeline({
    mode: 'paper', config, source: new ArrayBarSource(bars), strategy: resolvePack(smaCross, PARAMS), sizing: { kind: 'fixed', qty: 1 },
    startingCash: 10_000, commission: { kind: 'none' }, stores: memoryStores(), clock: new ManualClock(bars[0]!.ts), random: new SeededRandom(7),
    cycleTelemetry: { trace: false, metrics: false }, backtest: new DefaultBacktestDriver({ config }),
  });
  engine.start();
  try {
    const r = await engine.runBacktest({ dataFiles: [ORCL], symbols: ['ORCL'], strategy: 'sma-cross', strategyParams: { fast: 15, slow: 30 }, sizing: { kind: 'fixed', qty: 10 }, cash: 10_000 });
    assert.equal(r.status, 'ok');
    assert.equal((r.fills as unknown[]).length, 175);
    assert.equal(venue!.fetchAccount().cash, 10_000);
    await assert.rejects(engine.runBacktest({ dataFiles: [ORCL], strategy: 'sma-cross', cash: 10_000 }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && /sizing/.test(e.message));
  } finally {
    await engine.stop();
  }
});
