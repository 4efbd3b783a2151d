// The hooks layer on a real HookManager: a deny blocks the stage and the trading path, a
// denied AUDIT fails the cycle, and a patch narrows the earlier output the stage's spec names
// (EXEC: RISK's quantities) while a widening patch is refused and blocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HookManager, type HookResult } from '../../../src/governance/hooks/hook-manager.ts';
import { hooksLayer } from '../../../src/kernel/layers/hooks.ts';
import type { RiskDecision } from '../../../src/domain/risk.ts';
import type { StageName } from '../../../src/kernel/stage-contract.ts';
import { RecordingEvents } from '../../support/recording-events.ts';
import { cycleState, innerCounter, stageStep } from './layer-fixtures.ts';

function withHook(stage: StageName, result: HookResult) {
  const hooks = new HookManager(50);
  hooks.register({ id: 'h1', priority: 1, mode: 'HARD', stages: [stage], run: () => result });
  return hooksLayer(hooks, new RecordingEvents());
}

const decision = (symbol: string, qty: number): RiskDecision => ({
  signalId: `s-${symbol}`, symbol, ts: 0, allowed: true, reasons: [], policyVersion: 'p', order: { side: 'buy', qty, referencePrice: 10 },
});

test('a stage without hooks passes straight through', async () => {
  const layer = withHook('SIG', { decision: 'deny', reasons: ['no'] });
  const inner = innerCounter();
  await layer(stageStep(cycleState(), 'FEAT'), inner.next);
  assert.equal(inner.calls, 1);
});

test('a HARD deny blocks the stage and gives the cycle its block reason', async () => {
  const layer = withHook('SIG', { decision: 'deny', reasons: ['market closed'] });
  const c = cycleState();
  const s = stageStep(c, 'SIG');
  const inner = innerCounter();
  await layer(s, inner.next);
  assert.equal(inner.calls, 0);
  assert.equal(s.result!.status, 'blocked');
  assert.match(c.blockReason!, /hook h1 denied SIG/);
  assert.equal(c.errors[0]!.code, 'E_HOOK_DENIED');
  assert.equal(c.failed, false);
});

test('a denied AUDIT (it runs even after failures) fails the cycle and trips the kill switch at its end', async () => {
  const layer = withHook('AUDIT', { decision: 'deny', reasons: ['no audit'] });
  const c = cycleState();
  await layer(stageStep(c, 'AUDIT'), innerCounter().next);
  assert.equal(c.failed, true);
  assert.equal(c.killAtEnd, true);
});

test("a patch at EXEC narrows RISK's decisions before EXEC runs", async () => {
  const layer = withHook('EXEC', { decision: 'modify', patch: { qty: { AAA: 4, BBB: 0 } } });
  const c = cycleState({ data: { RISK: [decision('AAA', 10), decision('BBB', 5), decision('CCC', 7)] } });
  const inner = innerCounter();
  await layer(stageStep(c, 'EXEC'), inner.next);
  assert.equal(inner.calls, 1);
  const [a, b, cc] = c.data.RISK!;
  assert.equal(a!.order!.qty, 4);
  assert.deepEqual(a!.adjustments, ['qty 10 -> 4 by hook patch']);
  assert.equal(b!.allowed, false);
  assert.equal(cc!.order!.qty, 7);
});

test('a widening patch is refused: EXEC is blocked and RISK is left as it was', async () => {
  const layer = withHook('EXEC', { decision: 'modify', patch: { qty: { AAA: 20 } } });
  const risk = [decision('AAA', 10)];
  const c = cycleState({ data: { RISK: risk } });
  const s = stageStep(c, 'EXEC');
  const inner = innerCounter();
  await layer(s, inner.next);
  assert.equal(inner.calls, 0);
  assert.equal(s.result!.status, 'blocked');
  assert.equal(c.data.RISK, risk);
  assert.equal(c.blockCode, 'E_ORCH_BLOCKED');
});
