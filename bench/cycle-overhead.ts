// cycleOverheadUs: what the orchestrator itself costs per cycle. Eight stages that do
// nothing, wired the way a paper run is: the paper profile's settings, spans batched to an
// exporter (the SDK's BatchSpanProcessor; the exporter counts instead of sending), metrics
// through the engine observer, and a run row plus the CycleResult artifact written to a
// SQLite FILE for every cycle. The figure is the wall time of `await engine.runCycle()`.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { loadConfig } from '../src/config/load.ts';
import { systemClock } from '../src/core/clock.ts';
import { SeededRandom } from '../src/core/random.ts';
import { HookManager } from '../src/governance/hooks/hook-manager.ts';
import { KillSwitch } from '../src/kill-switch/kill-switch.ts';
import { MemoryKillSwitchStore } from '../src/kill-switch/contract.ts';
import { OrchestrationEngine } from '../src/kernel/engine.ts';
import { createEngineObserver } from '../src/observability/engine-observer.ts';
import { createOrchMetrics } from '../src/observability/metrics.ts';
import { setupTracing } from '../src/observability/tracing.ts';
import { openDatabase } from '../src/persistence/database.ts';
import { settingsFromConfig } from '../src/modes/assemble.ts';
import { isPromiseLike } from '../src/core/maybe-async.ts';
import { STAGE_ORDER, type Stage, type StageSet } from '../src/kernel/stage-contract.ts';
import { percentiles, type Percentiles } from './lib/stats.ts';
// The same empty stage outputs the orchestrator tests use.
import { EMPTY_OUTPUTS } from '../test/support/engine-harness.ts';

/** Counts what the batch processor hands over; sends nothing. */
export class CountingSpanExporter implements SpanExporter {
  spans = 0;
  batches = 0;
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.spans += spans.length;
    this.batches += 1;
    resultCallback({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

function noopStages(): StageSet {
  const set: Record<string, Stage> = {};
  for (const name of STAGE_ORDER) set[name] = { name, run: () => EMPTY_OUTPUTS[name] as never } as Stage;
  return set as StageSet;
}

export interface CycleOverheadDetail extends Percentiles {
  spansExported: number;
  spansExpected: number;
}

export async function benchCycleOverhead(quick: boolean): Promise<CycleOverheadDetail> {
  const n = quick ? 500 : 10_000;
  const warmup = quick ? 100 : 2_000;
  const config = loadConfig({ env: {}, profile: 'paper' }).config;
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-bench-cycle-'));
  const db = openDatabase({ path: join(dir, 'bench.db') });
  const exporter = new CountingSpanExporter();
  const tracing = setupTracing({ exporter: 'otlp', batchExporter: exporter, serviceName: 'ordinis-bench', registerGlobal: false });
  const clock = systemClock;
  const engine = new OrchestrationEngine({
    mode: 'paper',
    stages: noopStages(),
    settings: settingsFromConfig(config),
    clock,
    random: new SeededRandom(1),
    kill: new KillSwitch({ store: new MemoryKillSwitchStore(), clock, failSafe: config.KILL_FAIL_SAFE }),
    hooks: new HookManager(config.HOOK_STAGE_BUDGET_MS),
    runStore: db.runs,
    observer: createEngineObserver({ metrics: createOrchMetrics() }),
    tracer: tracing.tracer,
  });
  engine.start();
  const samples = new Float64Array(n);
  try {
    for (let i = 0; i < warmup + n; i++) {
      const t0 = performance.now();
      const r = await engine.runCycle({ kind: 'timer' });
      const dt = performance.now() - t0;
      if (r.status !== 'ok') throw new Error(`bench cycle ${i} ended ${r.status}: ${JSON.stringify(r.errors)}`);
      if (i >= warmup) samples[i - warmup] = dt * 1000;
      // A paper loop runs cycles from timers: let the event loop turn (batch exports, I/O).
      await yieldToLoop();
    }
    await engine.stop();
    await tracing.forceFlush();
  } finally {
    await tracing.shutdown();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { ...percentiles(samples), spansExported: exporter.spans, spansExpected: (warmup + n) * (STAGE_ORDER.length + 1) };
}

/**
 * cycleOverheadBareUs: the kernel alone. The same eight no-op stages, in memory: no tracing,
 * no metrics, no run records, no hooks, no events (the layers a backtest sweep composes). The
 * figure is the wall time of one synchronous `engine.runCycleMaybe()`, which returns its
 * result without a promise.
 */
export async function benchCycleOverheadBare(quick: boolean): Promise<Percentiles> {
  const n = quick ? 2_000 : 200_000;
  const warmup = quick ? 500 : 50_000;
  const config = loadConfig({ env: {}, profile: 'paper' }).config;
  const clock = systemClock;
  const engine = new OrchestrationEngine({
    mode: 'backtest',
    stages: noopStages(),
    settings: settingsFromConfig(config),
    clock,
    random: new SeededRandom(1),
    kill: new KillSwitch({ store: new MemoryKillSwitchStore(), clock, failSafe: config.KILL_FAIL_SAFE }),
    cycleTelemetry: { trace: false, metrics: false },
  });
  engine.start();
  const samples = new Float64Array(n);
  const trigger = { kind: 'backtest', at: 0 } as const;
  const options = { correlationId: 'bench-cycle', records: 'none' } as const;
  for (let i = 0; i < warmup + n; i++) {
    const t0 = performance.now();
    const r = engine.runCycleMaybe(trigger, options);
    const dt = performance.now() - t0;
    if (isPromiseLike(r)) throw new Error('bench cycle did not complete synchronously');
    if (r.status !== 'ok') throw new Error(`bench cycle ${i} ended ${r.status}: ${JSON.stringify(r.errors)}`);
    if (i >= warmup) samples[i - warmup] = dt * 1000;
  }
  await engine.stop();
  return percentiles(samples);
}
