// Backtests requested over the bus in a running process (`ordinis paper --serve`,
// `ordinis serve`; POST /backtests publishes the request).
//
// Concurrency: requests are served by an engine of their own, never the paper engine. Its
// subscription to `ordinis.ops.run.backtest.requested` calls runBacktest, whose driver hands
// the request to a worker thread (backtest-worker.ts) with its own database connection,
// where it runs as an isolated backtest-mode pipeline (backtest-request.ts). A backtest's
// bars run without yielding, so on the main thread they would hold up paper cycles and the
// ops API for the whole run; on the worker they hold up nothing here. The paper engine's
// cycle loop, in-flight state and book are not involved. The bus delivers to the
// subscription one event at a time, so requests run one after another, and more than
// SB_MAX_QUEUE_DEPTH waiting are refused (E_SB_BACKPRESSURE); stop() drops those still
// waiting, lets the running one finish and ends the thread.
//
// The outcome is published on the same bus, correlated by the request id:
// `ordinis.ops.run.backtest.completed` {request_id, run_id, bars, orders, final_value} for a
// run that ended ok, `ordinis.ops.run.backtest.failed` {request_id, run_id, error_code,
// message} for one that did not (run_id null when it could not even start: no data in the
// window, an unknown strategy). The engine's own subscription only logs a failure, so
// nothing is published twice.

import type { InMemoryBus } from '../../bus/in-memory-bus.ts';
import type { EnvelopeFactory } from '../../bus/event-factory.ts';
import type { OrdinisConfig } from '../../config/schema.ts';
import { ManualClock } from '../../core/clock.ts';
import { randomHex, SeededRandom, type RandomSource } from '../../core/random.ts';
import { Worker } from 'node:worker_threads';
import { OrdinisError, toOrdinisError, type ErrorCode } from '../../errors.ts';
import { MemoryAuditStore } from '../../governance/audit-chain.ts';
import type { BacktestDriver, EngineObserver, OrchestrationEngine } from '../../kernel/engine.ts';
import { MemoryKillSwitchStore } from '../../kill-switch/contract.ts';
import type { BacktestRequests, BacktestSubmission } from '../../server/backtest-requests.ts';
import { BufferedBarSource } from '../../adapters/data/buffered-bar-source.ts';
import { MemoryOrderStore } from '../../adapters/memory/memory-order-store.ts';
import { MemoryLedgerStore } from '../../adapters/memory/memory-ledger-store.ts';
import { createStrategyRegistry } from '../../stages/sig/registry.ts';
import { assemblePipeline } from '../assemble.ts';
import type { BacktestWorkerData, BacktestWorkerReply, BacktestWorkerRequest } from './backtest-worker.ts';
import type { BacktestResult } from './backtest-driver.ts';

export const BACKTEST_REQUESTED = 'ordinis.ops.run.backtest.requested';
export const BACKTEST_COMPLETED = 'ordinis.ops.run.backtest.completed';
export const BACKTEST_FAILED = 'ordinis.ops.run.backtest.failed';

export interface BacktestRequestOptions {
  config: OrdinisConfig;
  /** The database file the runs are recorded in; the worker opens a connection of its own. */
  dbPath: string;
  bus: InMemoryBus;
  /** Publishes the requests and their outcomes. */
  events: EnvelopeFactory;
  /** Request ids. */
  random: RandomSource;
  observer?: EngineObserver;
  codeVersion?: string;
  commitHash?: string;
}

export interface BacktestRequestService extends BacktestRequests {
  readonly engine: OrchestrationEngine;
  /** Unsubscribes; a backtest running finishes first. */
  stop(): Promise<void>;
}

/** Starts the engine that serves requested backtests, subscribed to the bus. */
export function startBacktestRequests(o: BacktestRequestOptions): BacktestRequestService {
  const worker = new WorkerBacktestDriver({
    config: o.config,
    dbPath: o.dbPath,
    ...(o.codeVersion ? { codeVersion: o.codeVersion } : {}),
    ...(o.commitHash ? { commitHash: o.commitHash } : {}),
  });
  const running = new PublishingBacktestDriver(worker, o.events);
  let stopped = false;
  const { engine } = assemblePipeline({
    mode: 'backtest',
    config: o.config,
    // This engine runs no cycles of its own: each backtest brings its pipeline.
    source: new BufferedBarSource(),
    strategy: createStrategyRegistry().resolve('sma-cross', {}),
    sizing: { kind: 'fixed', qty: 1 },
    startingCash: o.config.BROKER_STARTING_CASH,
    commission: { kind: 'none' },
    stores: { orders: new MemoryOrderStore(), ledger: new MemoryLedgerStore(), audit: new MemoryAuditStore(), killSwitch: new MemoryKillSwitchStore() },
    clock: new ManualClock(0),
    random: new SeededRandom(o.config.ORCH_SEED),
    bus: o.bus,
    backtest: running,
    ...(o.observer ? { observer: o.observer } : {}),
  });
  engine.start();
  return {
    engine,
    submit(request: Record<string, unknown>): BacktestSubmission {
      const requestId = randomHex(o.random, 16);
      const outcome = o.events.emit(BACKTEST_REQUESTED, { ...request, request_id: requestId }, { correlationId: requestId });
      if (!outcome.ok) throw outcome.error;
      if ('unheard' in outcome) throw new OrdinisError('E_SB_UNAVAILABLE', 'nothing serves backtest requests (the engine stopped)');
      return { requestId, eventId: outcome.ack.event_id };
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await engine.stop();
      // A delivery already started still runs: wait for it before letting go of its database.
      await running.settled();
      await worker.close();
    },
  };
}

/** Runs each request on a worker thread, started at the first request (see backtest-worker.ts). */
export class WorkerBacktestDriver implements BacktestDriver {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: OrdinisError) => void }>();

  constructor(private readonly data: BacktestWorkerData) {}

  run(_engine: OrchestrationEngine, request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, request } satisfies BacktestWorkerRequest);
    });
  }

  /** Lets the thread close its database and end; idempotent. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.postMessage({ close: true } satisfies BacktestWorkerRequest);
    await exited;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerBoot(import.meta.url), { eval: true, workerData: this.data });
    worker.on('message', (reply: BacktestWorkerReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new OrdinisError(reply.error.code as ErrorCode, reply.error.message));
    });
    const fail = (why: string): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, waiter] of this.pending) {
        this.pending.delete(id);
        waiter.reject(new OrdinisError('E_INTERNAL', `backtest thread ${why}`));
      }
    };
    worker.on('error', (e) => fail(`failed: ${e.message}`));
    worker.on('exit', (code) => fail(`exited (code ${code})`));
    this.worker = worker;
    return worker;
  }
}

/**
 * The thread's boot script. Built (dist/, this module is .js) it imports the compiled worker;
 * from the sources (.ts) it loads TypeScript as bin/ordinis-dev.js does: a worker inherits
 * neither the process's registered tsx hooks nor (on node 20) an --import of them, so it
 * registers them itself first. tsx is resolved only then: an installed package may lack it.
 * `worker`: the thread's module beside `moduleUrl`, without its extension (a sweep's pool
 * boots its own).
 */
export function workerBoot(moduleUrl: string, worker = './backtest-worker'): string {
  if (!moduleUrl.endsWith('.ts')) return `import(${JSON.stringify(new URL(`${worker}.js`, moduleUrl).href)});`;
  const entry = new URL(`${worker}.ts`, moduleUrl).href;
  return `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
}

/** Runs a request without its request_id and publishes how it ended. */
export class PublishingBacktestDriver implements BacktestDriver {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly inner: BacktestDriver,
    private readonly events: EnvelopeFactory,
  ) {}

  run(engine: OrchestrationEngine, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const p = this.runAndPublish(engine, payload);
    const tracked = p.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(tracked);
    void tracked.then(() => this.inFlight.delete(tracked));
    return p;
  }

  /** Resolves when no backtest is running. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async runAndPublish(engine: OrchestrationEngine, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { request_id: rawId, ...request } = payload;
    const requestId = typeof rawId === 'string' && rawId.length > 0 ? rawId : undefined;
    const meta = requestId ? { correlationId: requestId } : {};
    let result: BacktestResult;
    try {
      result = (await this.inner.run(engine, request)) as unknown as BacktestResult;
    } catch (e) {
      const err = toOrdinisError(e);
      this.events.emit(BACKTEST_FAILED, { request_id: requestId ?? null, run_id: null, error_code: err.code, message: err.message }, meta);
      throw err;
    }
    if (result.status === 'ok') {
      this.events.emit(BACKTEST_COMPLETED, { request_id: requestId ?? null, run_id: result.runId, bars: result.bars, orders: result.orders, final_value: result.finalValue }, meta);
    } else {
      const error = result.error ?? { code: 'E_INTERNAL', message: 'backtest failed' };
      this.events.emit(BACKTEST_FAILED, { request_id: requestId ?? null, run_id: result.runId, error_code: error.code, message: error.message }, meta);
    }
    return result as unknown as Record<string, unknown>;
  }
}
