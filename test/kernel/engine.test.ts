import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { OrdinisError } from '../../src/errors.ts';
import { STAGE_ORDER } from '../../src/kernel/stage-contract.ts';
import type { CycleResult } from '../../src/kernel/cycle-result.ts';
import { EMPTY_OUTPUTS, makeEngine } from '../support/engine-harness.ts';
import type { RunStore } from '../../src/kernel/run-store.ts';
import fc from 'fast-check';
import { newCorrelationId } from '../../src/kernel/engine.ts';
import { SeededRandom } from '../../src/core/random.ts';

const trigger = { kind: 'manual' as const };
const stageOf = (r: CycleResult, name: string) => r.stageResults.find((s) => s.stage === name)!;
const statuses = (r: CycleResult) => Object.fromEntries(r.stageResults.map((s) => [s.stage, s.status]));

describe('ordering', () => {
  test('runs the eight stages in canonical order and reports each', async () => {
    const { engine, calls, events } = makeEngine();
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.equal(r.status, 'ok');
    assert.deepEqual(calls, [...STAGE_ORDER]);
    assert.deepEqual(r.stageResults.map((s) => s.stage), [...STAGE_ORDER]);
    assert.ok(r.stageResults.every((s) => s.status === 'ok' && s.attempts === 1));
    // UUID version 7: the first 48 bits are the cycle's start time in ms (time-ordered keys).
    assert.match(r.correlationId, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(parseInt(r.correlationId.replace('-', '').slice(0, 12), 16), Date.UTC(2024, 0, 2));
    assert.deepEqual(events.topics(), ['ordinis.ops.cycle.started', 'ordinis.ops.cycle.completed']);
    assert.equal(events.events[0]!.meta?.correlationId, r.correlationId);
  });

  test('a disabled stage is skipped and the order never changes', async () => {
    const { engine, calls } = makeEngine({ settings: { disabledStages: ['FEAT', 'ANA'] } });
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.deepEqual(calls, ['ING', 'SIG', 'RISK', 'EXEC', 'PORT', 'AUDIT']);
    assert.equal(stageOf(r, 'FEAT').status, 'skipped');
    assert.equal(stageOf(r, 'FEAT').note, 'disabled');
    assert.deepEqual(r.stageResults.map((s) => s.stage), [...STAGE_ORDER]);
    assert.equal(r.status, 'ok');
  });

  test('stages see the outputs of earlier stages only', async () => {
    const seen: Record<string, string[]> = {};
    const record = (name: string) => (ctx: { data: object }) => {
      seen[name] = Object.keys(ctx.data);
      return EMPTY_OUTPUTS[name as keyof typeof EMPTY_OUTPUTS];
    };
    const { engine } = makeEngine({ behaviours: Object.fromEntries(STAGE_ORDER.map((s) => [s, record(s)])) });
    engine.start();
    await engine.runCycle(trigger);
    assert.deepEqual(seen.ING, []);
    assert.deepEqual(seen.RISK, ['ING', 'FEAT', 'SIG']);
    assert.deepEqual(seen.AUDIT, ['ING', 'FEAT', 'SIG', 'RISK', 'EXEC', 'PORT', 'ANA']);
  });
});

describe('retries', () => {
  const flaky = (failures: number, code: 'E_ING_PROVIDER_DOWN' | 'E_ING_NORMALIZE_FAILED' = 'E_ING_PROVIDER_DOWN') => {
    let n = 0;
    return () => {
      if (n++ < failures) throw new OrdinisError(code, `failure ${n}`);
      return EMPTY_OUTPUTS.ING;
    };
  };

  test('an idempotent stage is retried on a retryable error, attempts counted, delay bounded', async () => {
    const { engine } = makeEngine({ behaviours: { ING: flaky(1) } });
    engine.start();
    const r = await engine.runCycle(trigger);
    const ing = stageOf(r, 'ING');
    assert.equal(ing.status, 'ok');
    assert.equal(ing.attempts, 2);
    assert.equal(ing.retryDelaysMs.length, 1);
    assert.ok(ing.retryDelaysMs[0]! >= 0 && ing.retryDelaysMs[0]! < 5, `first delay within [0, initial): ${ing.retryDelaysMs[0]}`);
    assert.equal(r.status, 'ok');
  });

  test('attempts stop at 1 + ORCH_RETRY_MAX', async () => {
    const { engine } = makeEngine({ behaviours: { ING: flaky(10) }, settings: { retryMax: 3 } });
    engine.start();
    const r = await engine.runCycle(trigger);
    const ing = stageOf(r, 'ING');
    assert.equal(ing.status, 'failed');
    assert.equal(ing.attempts, 4);
    assert.equal(ing.errorCode, 'E_ING_PROVIDER_DOWN');
    ing.retryDelaysMs.forEach((d, i) => assert.ok(d < Math.min(20, 5 * 2 ** i) + 1e-9, `delay ${i} = ${d} within cap`));
  });

  test('a non-idempotent stage is never retried', async () => {
    const { engine } = makeEngine({ behaviours: { ING: flaky(1) }, specOverrides: { ING: { idempotent: false } } });
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.equal(stageOf(r, 'ING').attempts, 1);
    assert.equal(r.status, 'failed');
  });

  test('a non-retryable error is not retried', async () => {
    const { engine } = makeEngine({ behaviours: { ING: flaky(1, 'E_ING_NORMALIZE_FAILED') } });
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.equal(stageOf(r, 'ING').attempts, 1);
  });

  test('EXEC is retried only when its path carries an idempotency key', async () => {
    const execFlaky = () => {
      let n = 0;
      return () => {
        if (n++ === 0) throw new OrdinisError('E_EXEC_BROKER_UNAVAILABLE', 'blip');
        return EMPTY_OUTPUTS.EXEC;
      };
    };
    const keyed = makeEngine({ behaviours: { EXEC: execFlaky() } });
    keyed.engine.start();
    assert.equal(stageOf(await keyed.engine.runCycle(trigger), 'EXEC').attempts, 2);
    const unkeyed = makeEngine({ behaviours: { EXEC: execFlaky() }, specOverrides: { EXEC: { idempotencyKeyed: false } } });
    unkeyed.engine.start();
    const r = await unkeyed.engine.runCycle(trigger);
    assert.equal(stageOf(r, 'EXEC').attempts, 1);
    assert.equal(r.status, 'failed');
  });

  test('seeded jitter is reproducible: same seed, same delays', async () => {
    const run = async () => {
      const { engine } = makeEngine({ behaviours: { ING: flaky(10) }, settings: { retryMax: 3 } });
      engine.start();
      return stageOf(await engine.runCycle(trigger), 'ING').retryDelaysMs;
    };
    assert.deepEqual(await run(), await run());
  });

  test("an error's retry-after is honoured as a floor", async () => {
    let n = 0;
    const { engine } = makeEngine({
      behaviours: {
        ING: () => {
          if (n++ === 0) throw new OrdinisError('E_ING_PROVIDER_DOWN', 'slow down', { retryAfterMs: 15 });
          return EMPTY_OUTPUTS.ING;
        },
      },
    });
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.deepEqual(stageOf(r, 'ING').retryDelaysMs, [15]);
  });
});

describe('containment', () => {
  const fail = (code: 'E_ANA_COMPUTE_FAILED' | 'E_EXEC_BROKER_REJECTED' | 'E_AUDIT_INCOMPLETE' | 'E_FEAT_COMPUTE_FAILED') => () => {
    throw new OrdinisError(code, 'scripted failure');
  };

  test('ANA fails -> degraded; trading went ahead', async () => {
    const { engine, calls, events } = makeEngine({ behaviours: { ANA: fail('E_ANA_COMPUTE_FAILED') } });
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.equal(r.status, 'degraded');
    assert.ok(calls.includes('EXEC') && calls.includes('AUDIT'));
    assert.equal(stageOf(r, 'ANA').status, 'failed');
    assert.equal(events.of('ordinis.ops.stage.failed')[0]!.payload.stage, 'ANA');
  });

  test('after a degraded cycle EXEC continues when ORCH_DEGRADED_ALLOW_EXEC, is skipped when not', async () => {
    for (const allow of [true, false]) {
      let n = 0;
      const { engine, calls } = makeEngine({
        settings: { degradedAllowExec: allow },
        behaviours: { ANA: () => { if (n++ === 0) throw new OrdinisError('E_ANA_COMPUTE_FAILED', 'once'); return EMPTY_OUTPUTS.ANA; } },
      });
      engine.start();
      await engine.runCycle(trigger);
      calls.length = 0;
      const r = await engine.runCycle(trigger);
      assert.equal(calls.includes('EXEC'), allow, `allow=${allow}`);
      assert.equal(r.status, allow ? 'ok' : 'degraded');
    }
  });

  test('with ORCH_DEGRADED_ALLOW_EXEC=false, trading resumes once analytics recovers', async () => {
    let n = 0;
    const { engine, calls } = makeEngine({
      settings: { degradedAllowExec: false },
      behaviours: { ANA: () => { if (n++ === 0) throw new OrdinisError('E_ANA_COMPUTE_FAILED', 'once'); return EMPTY_OUTPUTS.ANA; } },
    });
    engine.start();
    await engine.runCycle(trigger); // ANA fails
    const skipped = await engine.runCycle(trigger); // EXEC skipped, ANA fine again
    assert.equal(skipped.stageResults.find((s) => s.stage === 'EXEC')!.status, 'skipped');
    calls.length = 0;
    const r = await engine.runCycle(trigger);
    assert.ok(calls.includes('EXEC'));
    assert.equal(r.status, 'ok');
  });

  test('EXEC fails -> failed; later stages skipped but AUDIT runs', async () => {
    const { engine, calls } = makeEngine({ behaviours: { EXEC: fail('E_EXEC_BROKER_REJECTED') } });
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.equal(r.status, 'failed');
    assert.deepEqual(calls.slice(-2), ['EXEC', 'AUDIT']);
    assert.equal(stageOf(r, 'PORT').status, 'skipped');
    assert.equal(stageOf(r, 'AUDIT').status, 'ok');
    assert.equal(r.errors[0]!.code, 'E_ORCH_STAGE_FAILED');
    assert.ok(r.errors.some((e) => e.code === 'E_EXEC_BROKER_REJECTED' && e.stage === 'EXEC'));
  });

  test('AUDIT fails with fail-closed -> failed and the kill switch is activated', async () => {
    const { engine, kill } = makeEngine({ behaviours: { AUDIT: fail('E_AUDIT_INCOMPLETE') } });
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.equal(r.status, 'failed');
    assert.equal(kill.isActive(), true);
    assert.match(kill.get().reason!, /audit failed/);
  });

  test('AUDIT fails in dev with fail-open -> degraded, loud warning, kill switch untouched', async () => {
    const { engine, kill, warnings } = makeEngine({ behaviours: { AUDIT: fail('E_AUDIT_INCOMPLETE') }, settings: { failClosedOnAudit: false } });
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.equal(r.status, 'degraded');
    assert.equal(kill.isActive(), false);
    assert.ok(warnings.some((w) => /ORCH_FAIL_CLOSED_ON_AUDIT=false/.test(w)));
    assert.ok(warnings.some((w) => /failing OPEN/.test(w)));
  });

  test('prod refuses an audit that fails open', () => {
    const { engine } = makeEngine({ settings: { failClosedOnAudit: false, profile: 'prod' } });
    assert.throws(() => engine.start(), (e: OrdinisError) => e.code === 'E_CFG_INVALID' && /prod/.test(e.message));
  });

  test('any other stage failing -> failed with E_ORCH_STAGE_FAILED', async () => {
    const { engine, calls } = makeEngine({ behaviours: { FEAT: fail('E_FEAT_COMPUTE_FAILED') } });
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.equal(r.status, 'failed');
    assert.equal(r.errors[0]!.code, 'E_ORCH_STAGE_FAILED');
    assert.deepEqual(calls, ['ING', 'FEAT', 'AUDIT']);
    assert.deepEqual(statuses(r), { ING: 'ok', FEAT: 'failed', SIG: 'skipped', RISK: 'skipped', EXEC: 'skipped', PORT: 'skipped', ANA: 'skipped', AUDIT: 'ok' });
  });

  test('a ledger invariant breach in PORT activates the kill switch', async () => {
    const { engine, kill } = makeEngine({ behaviours: { PORT: () => { throw new OrdinisError('E_LEDG_INVARIANT_BREACH', 'cash mismatch'); } } });
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.equal(r.status, 'failed');
    assert.equal(kill.isActive(), true);
    assert.match(kill.get().reason!, /ledger invariant/);
  });
});

describe('budgets', () => {
  test('a hung stage that ignores its signal is cut at its budget with E_ORCH_TIMEOUT', async () => {
    let aborted = false;
    const { engine } = makeEngine({
      specOverrides: { SIG: { budgetMs: 40 } },
      settings: { retryMax: 0 },
      behaviours: { SIG: (ctx) => { ctx.signal.addEventListener('abort', () => (aborted = true)); return new Promise(() => {}); } },
    });
    engine.start();
    const r = await engine.runCycle(trigger);
    const sig = stageOf(r, 'SIG');
    assert.equal(sig.status, 'timed_out');
    assert.equal(sig.errorCode, 'E_ORCH_TIMEOUT');
    assert.ok(sig.durationMs >= 35, `cut after about its budget: ${sig.durationMs}`);
    assert.equal(aborted, true);
    assert.equal(r.status, 'failed');
  });

  test('when the cycle budget is spent, non-critical stages are skipped, a timeout is emitted, AUDIT still runs', async () => {
    const busy = (ms: number) => () => { const end = performance.now() + ms; while (performance.now() < end); return EMPTY_OUTPUTS.PORT; };
    const { engine, calls, events } = makeEngine({ settings: { cycleBudgetMs: 30 }, behaviours: { PORT: busy(40) } });
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.equal(stageOf(r, 'ANA').status, 'skipped');
    assert.equal(stageOf(r, 'ANA').note, 'cycle budget spent');
    assert.equal(stageOf(r, 'AUDIT').status, 'ok');
    assert.ok(calls.includes('AUDIT') && !calls.includes('ANA'));
    assert.equal(r.timedOut, true);
    assert.equal(r.status, 'degraded');
    assert.ok(r.errors.some((e) => e.code === 'E_ORCH_TIMEOUT'));
    assert.equal(events.of('ordinis.ops.cycle.timeout').length, 1);
  });
});

describe('gates', () => {
  test('kill switch active: blocked before SIG, EXEC never runs, block event emitted', async () => {
    const { engine, calls, kill, events } = makeEngine();
    kill.activate('manual halt', 'alice');
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.equal(r.status, 'blocked');
    assert.ok(!calls.includes('SIG') && !calls.includes('RISK') && !calls.includes('EXEC'));
    assert.deepEqual(statuses(r), { ING: 'ok', FEAT: 'ok', SIG: 'blocked', RISK: 'blocked', EXEC: 'blocked', PORT: 'ok', ANA: 'ok', AUDIT: 'ok' });
    assert.equal(r.errors[0]!.code, 'E_ORCH_BLOCKED');
    assert.match(r.blockReason!, /manual halt/);
    assert.equal(events.of('ordinis.ops.kill.block').length, 1);
  });

  test('a kill switch activated mid-cycle is caught before EXEC', async () => {
    const { engine, calls, kill } = makeEngine({ behaviours: { RISK: () => { kill.activate('breach', 'risk'); return []; } } });
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.equal(r.status, 'blocked');
    assert.ok(!calls.includes('EXEC'));
  });

  test('stale data reported by ING blocks before SIG with the reason', async () => {
    const { engine, calls, events } = makeEngine({ behaviours: { ING: () => ({ asOf: 0, bars: [], stale: { reason: 'last bar 9000 ms old', lagMs: 9000 } }) } });
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.equal(r.status, 'blocked');
    assert.match(r.blockReason!, /data stale: last bar 9000 ms old/);
    assert.ok(!calls.includes('SIG') && !calls.includes('EXEC'));
    assert.equal(events.of('ordinis.ops.data.stale').length, 1);
  });
});

describe('lifecycle and specs', () => {
  test('bad stage specs give clear errors at start', () => {
    const cases: [Parameters<typeof makeEngine>[0], RegExp][] = [
      [{ specOverrides: { RISK: { budgetMs: -1 } } }, /stage RISK: budgetMs must be a positive number/],
      [{ specOverrides: { ['NOPE' as 'RISK']: {} } }, /unknown stage 'NOPE'/],
      [{ specOverrides: { AUDIT: { enabled: false } } }, /AUDIT cannot be disabled/],
      [{ specOverrides: { ING: { failureMode: 'explode' as 'fail' } } }, /failureMode must be fail \| degrade \| fail_closed/],
      [{ specOverrides: { ING: { retry: { backoffCoefficient: 0.5 } } } }, /retry.backoffCoefficient = 0.5; expected a number >= 1/],
      [{ settings: { disabledStages: ['XYZ' as 'ING'] } }, /cannot disable unknown stage 'XYZ'/],
      [{ settings: { cycleBudgetMs: 0 } }, /cycle budget must be a positive/],
      [{ stages: {} }, /stage ING is enabled but no implementation/],
    ];
    for (const [opts, re] of cases) {
      const { engine } = makeEngine(opts);
      assert.throws(() => engine.start(), (e: OrdinisError) => e.code !== undefined && re.test(e.message), String(re));
    }
  });

  test('cycles need start(); stop() lets the running cycle finish, then refuses new ones', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { engine } = makeEngine({ behaviours: { SIG: async () => { await gate; return []; } } });
    await assert.rejects(engine.runCycle(trigger), (e: OrdinisError) => e.code === 'E_ORCH_NOT_RUNNING');
    engine.start();
    const running = engine.runCycle(trigger);
    await assert.rejects(engine.runCycle(trigger), (e: OrdinisError) => e.code === 'E_ORCH_CYCLE_IN_PROGRESS');
    const stopped = engine.stop();
    assert.equal(engine.status().state, 'stopping');
    release();
    const r = await running;
    await stopped;
    assert.equal(r.status, 'ok');
    assert.equal(engine.status().state, 'stopped');
    await assert.rejects(engine.runCycle(trigger), (e: OrdinisError) => e.code === 'E_ORCH_NOT_RUNNING');
    assert.equal(engine.status().counts.skipped, 1);
  });

  test('status reports state, last cycle, counts and stage health', async () => {
    const { engine } = makeEngine({ behaviours: { ANA: () => { throw new OrdinisError('E_ANA_COMPUTE_FAILED', 'x'); } } });
    engine.start();
    const r = await engine.runCycle(trigger);
    const s = engine.status();
    assert.equal(s.state, 'running');
    assert.equal(s.lastCycle!.correlationId, r.correlationId);
    assert.equal(s.counts.degraded, 1);
    assert.equal(s.stageHealth.ANA.failed, 1);
    assert.equal(s.stageHealth.ANA.lastErrorCode, 'E_ANA_COMPUTE_FAILED');
    assert.equal(s.stageHealth.ING.ok, 1);
  });

  test('run metadata that cannot be written fails the cycle closed before any side effect', async () => {
    const broken: RunStore = {
      startRun() { throw new OrdinisError('E_DB_UNAVAILABLE', 'disk gone'); },
      finishRun() {},
      putArtifact() { return 0; },
      putConfigSnapshot() { return 'x'; },
    };
    const { engine, calls } = makeEngine({ runStore: broken });
    engine.start();
    const r = await engine.runCycle(trigger);
    assert.equal(r.status, 'failed');
    assert.ok(!calls.includes('EXEC'));
    assert.ok(r.errors.some((e) => e.code === 'E_DB_UNAVAILABLE'));
  });
});

test('correlation ids sort by their cycle start time, whatever the random bits', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 47 }), fc.integer({ min: 1, max: 2 ** 40 }), fc.integer(), (t, dt, seed) => {
      const random = new SeededRandom(seed);
      const a = newCorrelationId(random, t);
      const b = newCorrelationId(random, t + dt);
      return a < b;
    }),
  );
});

test('runCycleMaybe: a synchronous cycle returns its result itself, an async one a promise; either way the engine is busy while it runs', async () => {
  const inner: unknown[] = [];
  let asyncRisk = false;
  const h = makeEngine({
    behaviours: {
      SIG: () => {
        // Anything a running cycle calls sees the engine busy, synchronous or not.
        inner.push(h.engine.runCycleMaybe(trigger));
        return EMPTY_OUTPUTS.SIG;
      },
      RISK: () => (asyncRisk ? Promise.resolve(EMPTY_OUTPUTS.RISK) : EMPTY_OUTPUTS.RISK),
    },
  });
  h.engine.start();
  const sync = h.engine.runCycleMaybe(trigger);
  assert.ok(!(sync instanceof Promise), 'no promise for a synchronous cycle');
  assert.equal((sync as CycleResult).status, 'ok');
  assert.equal(h.engine.isBusy, false);

  asyncRisk = true;
  const later = h.engine.runCycleMaybe(trigger);
  assert.ok(later instanceof Promise);
  assert.equal(h.engine.isBusy, true);
  assert.equal((await later).status, 'ok');
  assert.equal(h.engine.isBusy, false);
  assert.equal(inner.length, 2);
  for (const r of inner) {
    assert.ok(r instanceof Promise);
    await assert.rejects(r, (e: unknown) => e instanceof OrdinisError && e.code === 'E_ORCH_CYCLE_IN_PROGRESS');
  }
  assert.equal(h.engine.status().counts.skipped, 2);
});

test('ctx.aborted: false while the attempt is within budget, true once it is cut, as its signal says', async () => {
  const seen: Array<[boolean, boolean]> = [];
  const h = makeEngine({
    specOverrides: { FEAT: { budgetMs: 10 } },
    settings: { retryMax: 0 },
    behaviours: {
      ING: (ctx) => {
        seen.push([ctx.aborted, ctx.signal.aborted]);
        return EMPTY_OUTPUTS.ING;
      },
      FEAT: async (ctx) => {
        await new Promise((r) => setTimeout(r, 40));
        seen.push([ctx.aborted, ctx.signal.aborted]);
        return EMPTY_OUTPUTS.FEAT;
      },
    },
  });
  h.engine.start();
  const r = await h.engine.runCycle(trigger);
  assert.equal(r.stageResults.find((s) => s.stage === 'FEAT')!.status, 'timed_out');
  await new Promise((res) => setTimeout(res, 60));
  assert.deepEqual(seen, [[false, false], [true, true]]);
});
