// The gates layer, on a real kill switch: each stage's declared gates, the block that follows
// a gate, and which stages still run on a block or after a failure (all from the StageSpec).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { KillSwitch } from '../../../src/kill-switch/kill-switch.ts';
import { MemoryKillSwitchStore } from '../../../src/kill-switch/contract.ts';
import { gatesLayer, type GateOptions } from '../../../src/kernel/layers/gates.ts';
import { RecordingEvents } from '../../support/recording-events.ts';
import { makeEngine } from '../../support/engine-harness.ts';
import { cycleState, innerCounter, stageStep } from './layer-fixtures.ts';

function gates(over: Partial<GateOptions> = {}) {
  const kill = new KillSwitch({ store: new MemoryKillSwitchStore(), clock: new ManualClock(0), failSafe: true });
  const events = new RecordingEvents();
  let rereads = 0;
  const layer = gatesLayer({ kill, rereadKill: () => void rereads++, previousDegraded: () => false, degradedAllowExec: true, events, ...over });
  return { layer, kill, events, rereads: () => rereads };
}

test('kill gate: SIG is blocked with the reason, the cycle gets its block reason, kill.block is emitted', () => {
  const g = gates();
  g.kill.activate('drill', 'alice');
  const c = cycleState();
  const inner = innerCounter();
  g.layer(stageStep(c, 'FEAT'), inner.next);
  assert.equal(inner.calls, 1, 'FEAT declares no gate');
  const sig = stageStep(c, 'SIG');
  g.layer(sig, inner.next);
  assert.equal(inner.calls, 1, 'SIG did not run');
  assert.equal(sig.result!.status, 'blocked');
  assert.equal(c.blockReason, 'kill switch active: drill');
  assert.equal(c.blockCode, 'E_ORCH_BLOCKED');
  assert.deepEqual(g.events.topics(), ['ordinis.ops.kill.block']);
  assert.equal(g.events.events[0]!.payload.stage, 'SIG');
  // Later trading stages are blocked by the cycle's block; the bookkeeping and AUDIT run.
  for (const name of ['RISK', 'EXEC'] as const) {
    const s = stageStep(c, name);
    g.layer(s, inner.next);
    assert.equal(s.result!.status, 'blocked', name);
  }
  for (const name of ['PORT', 'ANA', 'AUDIT'] as const) g.layer(stageStep(c, name), inner.next);
  assert.equal(inner.calls, 4);
});

test("EXEC's gate re-reads the kill switch first (it may have flipped mid-cycle)", () => {
  const g = gates();
  const c = cycleState();
  const inner = innerCounter();
  g.layer(stageStep(c, 'EXEC'), inner.next);
  assert.equal(g.rereads(), 1);
  assert.equal(inner.calls, 1);
  g.layer(stageStep(c, 'SIG'), inner.next);
  assert.equal(g.rereads(), 1, "SIG's gate uses the state read at the cycle's start");
});

test('stale gate: a stale signal raised earlier blocks SIG and emits data.stale', () => {
  const g = gates();
  const c = cycleState({ signals: { stale: { gate: 'stale', reason: 'feed lag', lagMs: 9000 } } });
  const sig = stageStep(c, 'SIG');
  const inner = innerCounter();
  g.layer(sig, inner.next);
  assert.equal(inner.calls, 0);
  assert.equal(sig.result!.note, 'data stale: feed lag');
  assert.deepEqual(g.events.of('ordinis.ops.data.stale')[0]!.payload, { correlation_id: 'c-1', reason: 'feed lag', lag_ms: 9000 });
});

test('degraded-exec gate: EXEC is skipped after a degraded cycle only when ORCH_DEGRADED_ALLOW_EXEC=false', () => {
  const inner = innerCounter();
  const allow = gates({ previousDegraded: () => true, degradedAllowExec: true });
  allow.layer(stageStep(cycleState(), 'EXEC'), inner.next);
  assert.equal(inner.calls, 1);
  const deny = gates({ previousDegraded: () => true, degradedAllowExec: false });
  const c = cycleState();
  const exec = stageStep(c, 'EXEC');
  deny.layer(exec, inner.next);
  assert.equal(inner.calls, 1);
  assert.equal(exec.result!.status, 'skipped');
  assert.equal(c.degraded, true);
  assert.equal(c.blockReason, null, 'a skip, not a block');
});

test('after a failure only the stages that run after failures (AUDIT) run', () => {
  const g = gates();
  const c = cycleState({ haltNote: 'after FEAT failed', failed: true });
  const inner = innerCounter();
  const port = stageStep(c, 'PORT');
  g.layer(port, inner.next);
  assert.equal(port.result!.status, 'skipped');
  assert.equal(port.result!.note, 'after FEAT failed');
  g.layer(stageStep(c, 'AUDIT'), inner.next);
  assert.equal(inner.calls, 1);
});

test('gates are declared: a RISK spec given the kill gate is blocked by it, through the engine', async () => {
  const { engine, kill, calls } = makeEngine({ specOverrides: { RISK: { gates: ['kill'] } } });
  engine.start();
  kill.activate('declared', 'bob');
  const r = await engine.runCycle({ kind: 'manual' });
  assert.equal(r.status, 'blocked');
  assert.equal(r.stageResults.find((s) => s.stage === 'SIG')!.status, 'blocked', 'SIG keeps its own kill gate');
  assert.deepEqual(calls, ['ING', 'FEAT', 'PORT', 'ANA', 'AUDIT']);
});

test('an unknown gate in a spec is refused at start with E_ORCH_STAGE_SPEC_INVALID', () => {
  const { engine } = makeEngine({ specOverrides: { RISK: { gates: ['moon-phase' as never] } } });
  assert.throws(() => engine.start(), /E_ORCH_STAGE_SPEC_INVALID|unknown gate 'moon-phase'/);
});
