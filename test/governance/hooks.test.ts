import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrdinisError } from '../../src/errors.ts';
import { HookManager, assertNarrowing, type Hook } from '../../src/governance/hooks/hook-manager.ts';
import type { RiskDecision } from '../../src/domain/risk.ts';
import { EMPTY_OUTPUTS, makeEngine } from '../support/engine-harness.ts';

const hook = (h: Partial<Hook> & Pick<Hook, 'id' | 'run'>): Hook => ({ priority: 100, mode: 'HARD', ...h });

test('a HARD deny blocks the cycle at that boundary; EXEC never runs', async () => {
  const hooks = new HookManager(50);
  hooks.register(hook({ id: 'no-trading-today', stages: ['RISK'], run: () => ({ decision: 'deny', reasons: ['holiday'] }) }));
  const { engine, calls } = makeEngine({ hooks });
  engine.start();
  const r = await engine.runCycle({ kind: 'manual' });
  assert.equal(r.status, 'blocked');
  assert.match(r.blockReason!, /no-trading-today denied RISK: holiday/);
  assert.ok(!calls.includes('RISK') && !calls.includes('EXEC'));
  assert.ok(r.errors.some((e) => e.code === 'E_HOOK_DENIED'));
});

test('SOFT exceptions are swallowed and reported; SOFT deny is a warning', async () => {
  const hooks = new HookManager(50);
  hooks.register(hook({ id: 'flaky-soft', mode: 'SOFT', stages: ['SIG'], run: () => { throw new Error('soft boom'); } }));
  hooks.register(hook({ id: 'grumpy-soft', mode: 'SOFT', stages: ['SIG'], run: () => ({ decision: 'deny', reasons: ['meh'] }) }));
  const { engine, calls, events } = makeEngine({ hooks });
  engine.start();
  const r = await engine.runCycle({ kind: 'manual' });
  assert.equal(r.status, 'ok');
  assert.ok(calls.includes('EXEC'));
  const errs = events.of('ordinis.ops.hook.error');
  assert.deepEqual(errs.map((e) => [e.payload.hook_id, e.payload.outcome]), [['flaky-soft', 'error'], ['grumpy-soft', 'deny']]);
});

test('hook timeouts: SOFT allows with a warning, HARD denies', async () => {
  const hang = () => new Promise<never>(() => {});
  const soft = new HookManager(20);
  soft.register(hook({ id: 'slow-soft', mode: 'SOFT', run: hang, stages: ['ING'] }));
  const out = await soft.runBoundary({ stage: 'ING', correlationId: 'c', cycleTime: 0, data: {}, signal: new AbortController().signal });
  assert.equal(out.allowed, true);
  assert.equal(out.warnings[0]!.outcome, 'timeout');
  const hard = new HookManager(20);
  hard.register(hook({ id: 'slow-hard', mode: 'HARD', run: hang, stages: ['ING'], budgetMs: 10 }));
  const out2 = await hard.runBoundary({ stage: 'ING', correlationId: 'c', cycleTime: 0, data: {}, signal: new AbortController().signal });
  assert.equal(out2.allowed, false);
  assert.match(out2.blockedBy!.reason, /10 ms budget/);
});

test('hooks run by priority, lower first; a HARD exception denies', async () => {
  const order: string[] = [];
  const hooks = new HookManager();
  hooks.register(hook({ id: 'b', priority: 20, run: () => (order.push('b'), { decision: 'allow' }) }));
  hooks.register(hook({ id: 'a', priority: 10, run: () => (order.push('a'), { decision: 'allow' }) }));
  hooks.register(hook({ id: 'c', priority: 30, run: () => { order.push('c'); throw new Error('hard boom'); } }));
  const out = await hooks.runBoundary({ stage: 'FEAT', correlationId: 'c', cycleTime: 0, data: {}, signal: new AbortController().signal });
  assert.deepEqual(order, ['a', 'b', 'c']);
  assert.equal(out.allowed, false);
  assert.equal(out.blockedBy!.hookId, 'c');
});

test('duplicate hook ids fail at registration', () => {
  const hooks = new HookManager();
  hooks.register(hook({ id: 'x', run: () => ({ decision: 'allow' }) }));
  assert.throws(() => hooks.register(hook({ id: 'x', run: () => ({ decision: 'allow' }) })), (e: OrdinisError) => e.code === 'E_HOOK_DUPLICATE_ID');
});

const decision = (symbol: string, qty: number): RiskDecision => ({
  signalId: `s-${symbol}`, symbol, ts: 0, allowed: true, reasons: ['RISK.OK'], policyVersion: 'risk_v1', order: { side: 'buy', qty, referencePrice: 10 },
});

test('a modify patch narrows orders before EXEC; the narrowest of two patches wins', async () => {
  const hooks = new HookManager();
  hooks.register(hook({ id: 'cap-a', stages: ['EXEC'], run: () => ({ decision: 'modify', patch: { qty: { AAA: 6 } } }) }));
  hooks.register(hook({ id: 'cap-b', stages: ['EXEC'], run: () => ({ decision: 'modify', patch: { qty: { AAA: 4, BBB: 0 } } }) }));
  let execSaw: RiskDecision[] = [];
  const { engine } = makeEngine({
    hooks,
    behaviours: {
      RISK: () => [decision('AAA', 10), decision('BBB', 5)],
      EXEC: (ctx) => { execSaw = ctx.data.RISK!; return EMPTY_OUTPUTS.EXEC; },
    },
  });
  engine.start();
  const r = await engine.runCycle({ kind: 'manual' });
  assert.equal(r.status, 'ok');
  assert.equal(execSaw[0]!.order!.qty, 4);
  assert.equal(execSaw[1]!.allowed, false);
});

test('a patch that widens is refused and blocks the order path', async () => {
  assert.throws(() => assertNarrowing({ qty: { AAA: 11 } }, new Map([['AAA', 10]])), (e: OrdinisError) => e.code === 'E_HOOK_PATCH_WIDENS');
  assert.throws(() => assertNarrowing({ qty: { ZZZ: 1 } }, new Map([['AAA', 10]])), /adds an order for ZZZ/);
  assert.throws(() => assertNarrowing({ qty: { AAA: 2.5 } }, new Map([['AAA', 10]])), /whole number/);
  const hooks = new HookManager();
  hooks.register(hook({ id: 'greedy', stages: ['EXEC'], run: () => ({ decision: 'modify', patch: { qty: { AAA: 99 } } }) }));
  const { engine, calls } = makeEngine({ hooks, behaviours: { RISK: () => [decision('AAA', 10)] } });
  engine.start();
  const r = await engine.runCycle({ kind: 'manual' });
  assert.equal(r.status, 'blocked');
  assert.ok(!calls.includes('EXEC'));
});
