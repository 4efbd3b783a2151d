// Config keys read where a mode is assembled (src/modes/assemble.ts), each shown by what it
// changes in a real pipeline run: the default pipeline, in memory, on a small bar series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { SeededRandom } from '../../src/core/random.ts';
import { loadConfig } from '../../src/config/load.ts';
import { AuditCompletenessCheck } from '../../src/governance/audit-completeness.ts';
import type { KillState, KillSwitchStore } from '../../src/kill-switch/contract.ts';
import { MemoryKillSwitchStore } from '../../src/kill-switch/contract.ts';
import { MemoryOrderStore } from '../../src/adapters/memory/memory-order-store.ts';
import { MemoryLedgerStore } from '../../src/adapters/memory/memory-ledger-store.ts';
import { ArrayBarSource } from '../../src/adapters/data/array-bar-source.ts';
import { createStrategyRegistry } from '../../src/stages/sig/registry.ts';
import { assemblePipeline, settingsFromConfig } from '../../src/modes/assemble.ts';
import type { Bar } from '../../src/domain/market.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
// SMA(2) vs SMA(3): one up-cross on bar 5 (index 4), so one buy order.
const CLOSES = [10, 9, 8, 9, 11, 12, 13, 12, 14];
const bars: Bar[] = CLOSES.map((c, i) => ({ symbol: 'AAA', ts: T0 + i * DAY, open: c - 0.5, high: c + 1, low: c - 1, close: c, volume: 1000 }));

async function run(env: Record<string, string>, opts: { killStore?: KillSwitchStore; clockLagMs?: number; mode?: 'backtest' | 'paper' } = {}) {
  const config = loadConfig({ env }).config;
  const clock = new ManualClock(T0);
  const orders = new MemoryOrderStore();
  const riskPolicyVersions = new Set<string>();
  const p = assemblePipeline({
    mode: opts.mode ?? 'backtest',
    config,
    source: new ArrayBarSource(bars),
    strategy: createStrategyRegistry().resolve('sma-cross', { fast: 2, slow: 3 }),
    sizing: { kind: 'fixed', qty: 5 },
    startingCash: 1000,
    commission: { kind: 'none' },
    stores: { orders, ledger: new MemoryLedgerStore(), audit: new AuditCompletenessCheck(), killSwitch: opts.killStore ?? new MemoryKillSwitchStore(),
      riskDecisions: { record: (_id, decisions) => decisions.forEach((d) => riskPolicyVersions.add(d.policyVersion)) },
    },
    clock,
    random: new SeededRandom(1),
  });
  p.engine.start();
  const results = [];
  for (const b of bars) {
    clock.set(b.ts + (opts.clockLagMs ?? 0));
    results.push(await p.engine.runCycle({ kind: 'backtest', at: b.ts }));
  }
  return { p, results, orders, config, riskPolicyVersions };
}

test('EXEC_FILL_TIMING: next_open fills at the next bar\'s open, close at the signal bar\'s close', async () => {
  const nextOpen = await run({});
  const atClose = await run({ ORDINIS_EXEC_FILL_TIMING: 'close' });
  const fill = (r: Awaited<ReturnType<typeof run>>) => r.orders.listAll()[0]!.lastReport!.fills[0]!;
  assert.equal(fill(nextOpen).price, bars[5]!.open);
  assert.equal(fill(atClose).price, bars[4]!.close);
});

test('RISK_POLICY_VERSION is stamped on every risk decision; RISK_MAX_POSITION_PCT caps a symbol\'s weight', async () => {
  const stamped = await run({ ORDINIS_RISK_POLICY_VERSION: 'risk_v7' });
  assert.equal(stamped.orders.listAll().length, 1);
  assert.deepEqual([...stamped.riskPolicyVersions], ['risk_v7']);
  assert.deepEqual([...(await run({})).riskPolicyVersions], ['risk_v1']);
  // 5 shares at 11 is 5.5% of 1000: a 1% cap leaves no room for the order.
  const capped = await run({ ORDINIS_RISK_MAX_POSITION_PCT: '0.01' });
  assert.equal(capped.orders.listAll().length, 0);
});

test('ING_MAX_STALENESS_MS (paper): bars older than this at cycle time block the cycle before SIG, so no order', async () => {
  const fresh = await run({ ORDINIS_ING_MAX_STALENESS_MS: String(3 * DAY) }, { clockLagMs: DAY, mode: 'paper' });
  assert.deepEqual([...new Set(fresh.results.map((r) => r.status))], ['ok']);
  assert.equal(fresh.orders.listAll().length, 1);
  const stale = await run({ ORDINIS_ING_MAX_STALENESS_MS: String(DAY / 2) }, { clockLagMs: DAY, mode: 'paper' });
  assert.deepEqual([...new Set(stale.results.map((r) => r.status))], ['blocked']);
  assert.equal(stale.orders.listAll().length, 0);
});

test('ANA_PERIODS_PER_YEAR annualizes the KPIs', async () => {
  const daily = await run({});
  const monthly = await run({ ORDINIS_ANA_PERIODS_PER_YEAR: '12' });
  const vol = (r: Awaited<ReturnType<typeof run>>) => r.p.stages.ana.latest()!.kpis.volatilityPct!;
  assert.ok(vol(daily) > 0);
  assert.ok(Math.abs(vol(daily) / vol(monthly) - Math.sqrt(252 / 12)) < 1e-9, `${vol(daily)} vs ${vol(monthly)}`);
});

class UnreadableKillStore implements KillSwitchStore {
  load(): KillState | undefined {
    throw new Error('kill state unreadable');
  }
  save(): void {}
}

test('KILL_FAIL_SAFE: an unreadable kill state means ACTIVE (no orders) when true, INACTIVE when false', async () => {
  const safe = await run({}, { killStore: new UnreadableKillStore() });
  assert.equal(safe.config.KILL_FAIL_SAFE, true);
  assert.equal(safe.p.kill.isActive(), true);
  assert.equal(safe.orders.listAll().length, 0);
  const unsafe = await run({ ORDINIS_KILL_FAIL_SAFE: 'false' }, { killStore: new UnreadableKillStore() });
  assert.equal(unsafe.p.kill.isActive(), false);
  assert.equal(unsafe.orders.listAll().length, 1);
});

// What the engine does with these settings is the kernel's tests' subject (retry, budget and
// record layers); here, that the keys reach them.
test('ORCH_RETRY_INITIAL_MS, ORCH_RETRY_BACKOFF, ORCH_RETRY_MAX_INTERVAL_MS, ORCH_FAIL_CLOSED_ON_DB, ORCH_CYCLE_BUDGET_MS, ORCH_STAGE_BUDGET_MS reach the engine\'s settings', () => {
  const config = loadConfig({
    env: {
      ORDINIS_ORCH_RETRY_INITIAL_MS: '7',
      ORDINIS_ORCH_RETRY_BACKOFF: '3',
      ORDINIS_ORCH_RETRY_MAX_INTERVAL_MS: '90',
      ORDINIS_ORCH_FAIL_CLOSED_ON_DB: 'false',
      ORDINIS_ORCH_CYCLE_BUDGET_MS: '4000',
      ORDINIS_ORCH_STAGE_BUDGET_MS: 'EXEC=900',
    },
  }).config;
  const s = settingsFromConfig(config);
  assert.deepEqual(s.retry, { initialIntervalMs: 7, backoffCoefficient: 3, maximumIntervalMs: 90 });
  assert.equal(s.failClosedOnDb, false);
  assert.equal(s.cycleBudgetMs, 4000);
  assert.equal(s.stageBudgetMs.EXEC, 900);
  assert.equal(s.stageBudgetMs.ING, 1000, 'the other stages keep their defaults');
});

test('ORCH_STAGES_DISABLED skips the named stages in every cycle', async () => {
  const r = await run({ ORDINIS_ORCH_STAGES_DISABLED: 'ANA' });
  const ana = r.results.map((c) => c.stageResults.find((s) => s.stage === 'ANA')!);
  assert.deepEqual([...new Set(ana.map((s) => s.status))], ['skipped']);
  assert.equal(r.p.stages.ana.latest(), null);
  const all = await run({});
  assert.deepEqual([...new Set(all.results.map((c) => c.stageResults.find((s) => s.stage === 'ANA')!.status))], ['ok']);
});

test('EXEC_SLIPPAGE_BPS moves a simulated fill against the order', async () => {
  const r = await run({ ORDINIS_EXEC_SLIPPAGE_BPS: '100' });
  const fill = r.orders.listAll()[0]!.lastReport!.fills[0]!;
  assert.equal(r.orders.listAll()[0]!.intent.side, 'buy');
  assert.ok(Math.abs(fill.price - bars[5]!.open * 1.01) < 1e-9, String(fill.price));
});
