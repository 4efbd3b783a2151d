// The backtest driver: assembles the default pipeline in backtest mode and drives one cycle
// per bar timestamp through the same OrchestrationEngine that paper and live use. The clock
// is set to each bar's time, the random source is seeded, so a rerun is bit for bit the same.
//
// A backtest is one run (L2-08 §3): one correlation id (its run id, which its cycles' ids
// extend), one root span `orch.backtest` (its bars' cycle spans beneath it when per-cycle
// tracing is asked for), one run row. Per cycle it records, by default, only the cycles that
// did not end ok (`cycleRecords`), and composes no per-cycle trace or metrics layer.
//
// What is persisted where: the run row, the cycle runs and CycleResults asked for, the config
// snapshot, risk decisions and the results (fills, trades, equity curve, KPIs) go to the
// SQLite file. The equity curve (a point per bar) goes out as the run goes, with the batch
// commits, to `backtest_equity`, so memory does not grow with the run's length; the rest
// (O(orders), not O(bars)) at the end, as artifacts. The simulated book (orders, ledger,
// audit completeness check, kill state) lives in memory for the run: a backtest's orders are not side
// effects and must never mix with a paper or live book kept in the same file.

import { createHash } from 'node:crypto';
import { OrdinisError } from '../../errors.ts';
import { ManualClock, toRfc3339 } from '../../core/clock.ts';
import { SeededRandom } from '../../core/random.ts';
import { isPromiseLike } from '../../core/maybe-async.ts';
import type { OrdinisConfig } from '../../config/schema.ts';
import type { OrdinisDatabase } from '../../persistence/database.ts';
import { AuditCompletenessCheck } from '../../governance/audit-completeness.ts';
import { MemoryKillSwitchStore } from '../../kill-switch/contract.ts';
import { FileReplaySource } from '../../adapters/data/file-replay-source.ts';
import type { BarSource } from '../../stages/ing/bar-source.ts';
import { createStrategyRegistry, resolvePack, type ResolvedStrategy, type StrategyRegistry } from '../../stages/sig/registry.ts';
import type { StrategyPack } from '../../stages/sig/strategy-pack.ts';
import type { RiskPolicy } from '../../stages/risk/policy.ts';
import type { StageSet } from '../../kernel/stage-contract.ts';
import type { SizingConfig } from '../../stages/risk/sizing.ts';
import type { CommissionModel } from '../../domain/commission.ts';
import type { EventEmitterPort } from '../../bus/contract.ts';
import { MemoryOrderStore } from '../../adapters/memory/memory-order-store.ts';
import { BalanceLedgerStore } from '../../adapters/memory/balance-ledger-store.ts';
import type { Kpis, QualityFlag } from '../../domain/analytics.ts';
import type { ExecutionReport, Fill } from '../../domain/order.ts';
import { context, trace, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import type { EngineObserver } from '../../kernel/engine.ts';
import type { CycleRecords } from '../../kernel/cycle-state.ts';
import { BACKTEST_SPAN, ATTR, getTracer } from '../../kernel/span-names.ts';
import type { CycleStatus } from '../../kernel/cycle-result.ts';
import { assemblePipeline, type Pipeline } from '../assemble.ts';
import { EquityCurve, type EquityPoint } from '../../stages/ana/equity-curve.ts';
import type { ClosedTrade } from '../../stages/ana/trades.ts';
import { EquityCurveWriter } from './equity-curve-writer.ts';
import { chartCurve } from './report/chart-curve.ts';
import { withRunAnalytics } from './run-analytics.ts';

/**
 * What a backtest runs: data, strategy, sizing, cash, commission, dates, seed. The same
 * inputs give the same run id and, bar for bit, the same result.
 */
export interface BacktestConfig {
  /** CSV files; one symbol each. */
  dataFiles: string[];
  /** Renames the files' symbols (default: file stems); also the order within a bar. */
  symbols?: string[];
  /**
   * A strategy pack's id in the registry (`deps.registry`, default: the built-in packs), or
   * the pack itself (`defineStrategyPack(...)`), which needs no registry.
   */
  strategy: string | StrategyPack<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Raw parameters, validated and defaulted by the pack's schema (strings are fine: CLI values). */
  strategyParams: Record<string, unknown>;
  sizing: SizingConfig;
  cash: number;
  commission: CommissionModel;
  /** Inclusive date bounds, YYYY-MM-DD. */
  from?: string;
  to?: string;
  seed?: number;
  /** Or a ready source (benchmarks, tests); then dataFiles may be empty. */
  source?: BarSource;
}

/** One fill of a backtest, as its result lists it (time RFC 3339). */
export interface BacktestFill {
  ts: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  commission: number;
}

/** A RISK reason code's denials in a run: how many, and the bar time (RFC 3339, as a fill's `ts`) of the first. */
export interface RiskDenialSummary {
  count: number;
  firstDate: string;
}

/** A backtest's summary: counts, final cash and value, every fill, the KPIs, RISK's denials, how its cycles ended. */
export interface BacktestResult {
  runId: string;
  status: 'ok' | 'failed';
  bars: number;
  symbols: string[];
  /** The strategy as run, with every parameter (defaults included). */
  strategy: { id: string; params: Record<string, unknown> };
  orders: number;
  ordersFilled: number;
  ordersRejected: number;
  ordersUnfilled: number;
  trades: number;
  finalCash: number;
  finalValue: number;
  maxDrawdownPct: number;
  totalReturnPct: number;
  totalCommission: number;
  fills: BacktestFill[];
  kpis: Kpis | null;
  quality: QualityFlag[];
  /**
   * RISK's denials by reason code (every denied decision, as `risk_decisions` holds them):
   * what the run's guards (drawdown, symbol cap, cash check, ...) stopped. Empty when none.
   */
  riskDenials: Record<string, RiskDenialSummary>;
  cycles: Record<CycleStatus, number>;
  error: { code: string; message: string } | null;
}

/** What a backtest returns beside its result: the chart curve and the closed trades. */
export interface BacktestArtifacts {
  /**
   * The chart curve of the equity curve (report/chart-curve.ts: a few thousand points with
   * every spike and trough of the value and the drawdown), in time order. The whole curve, a
   * point per bar, is in the database (`db.equityCurves`, table `backtest_equity`) when the
   * run has one, and nowhere else.
   */
  equity: readonly EquityPoint[];
  closedTrades: readonly ClosedTrade[];
}

/**
 * Which cycles get a run row and a CycleResult artifact: every one ('all'), only those that
 * did not end ok ('exceptions', the default), or none ('none', for sweeps); the result's
 * per-status cycle counts cover the rest. The backtest itself is the same either way: same
 * fills, cash, value, drawdown, equity curve.
 */
export type { CycleRecords };

/** What a backtest runs with: configuration, where it records, and your own parts. */
export interface BacktestDeps {
  config: OrdinisConfig;
  /** Where the engine emits its events (the command's bus); an emitter that builds only what someone hears costs nothing per bar. */
  events?: EventEmitterPort;
  /** Where runs, cycle results and artifacts go. */
  db?: OrdinisDatabase;
  observer?: EngineObserver;
  registry?: StrategyRegistry;
  /** Called as bars are done (every 250 and at the end), with the total when the source can count it. */
  onProgress?: (done: number, total: number | undefined) => void;
  /** Cycles per SQLite batch (one commit each). Default 1000. */
  batchSize?: number;
  /** Default 'exceptions': no run row or CycleResult for an ok cycle. 'all' records every cycle; 'none' no cycle. */
  cycleRecords?: CycleRecords;
  /** Compose the per-cycle trace and metrics layers (a span per bar and stage, the observer's cycle figures). Default false. */
  cycleTelemetry?: boolean;
  codeVersion?: string;
  commitHash?: string;
  /**
   * Stages of your own in place of the defaults (assemblePipeline's `stages`). A replaced
   * ANA's output is what each cycle carries; the backtest's result (counts, final value,
   * KPIs, trades, equity curve) is still kept by the default analytics, which the run feeds
   * the same cycle data alongside your stage.
   */
  stages?: StageSet;
  /** The default RISK stage's policy chain (assemblePipeline's `riskPolicies`). */
  riskPolicies?: readonly RiskPolicy[];
}

/**
 * Runs a backtest: one cycle per bar timestamp through the default pipeline (with your
 * overrides), in backtest mode, as one run. With `deps.db` the run, its results and the
 * equity curve are recorded in that SQLite file. Never throws for a failed run: the result
 * says `status: 'failed'` with the error; bad input throws E_CFG_INVALID (or
 * E_SIG_STRATEGY_UNKNOWN) before anything is recorded.
 *
 * @example
 * ```ts
 * const { result } = await runBacktest(
 *   { dataFiles: ['orcl.csv'], strategy: smaCross, strategyParams: { fast: 10, slow: 30 },
 *     sizing: { kind: 'fixed', qty: 10 }, cash: 10_000, commission: { kind: 'none' } },
 *   { config: loadConfig().config },
 * );
 * console.log(result.finalValue, result.kpis?.sharpe);
 * ```
 */
export async function runBacktest(bt: BacktestConfig, deps: BacktestDeps): Promise<{ result: BacktestResult; artifacts: BacktestArtifacts }> {
  validateBacktestConfig(bt);
  const strategy = resolveStrategy(bt, deps.registry);
  const source =
    bt.source ??
    new FileReplaySource({
      files: bt.dataFiles,
      ...(bt.symbols ? { symbols: bt.symbols } : {}),
      ...(bt.from ? { from: bt.from } : {}),
      ...(bt.to ? { to: bt.to } : {}),
      policy: deps.config.ING_BAD_ROW_POLICY,
    });
  const seed = bt.seed ?? deps.config.ORCH_SEED;
  const firstTs = source.peekTs();
  const clock = new ManualClock(firstTs ?? 0);
  const random = new SeededRandom(seed);
  const db = deps.db;
  const runId = backtestRunId(bt, seed, db);
  const orders = new MemoryOrderStore();
  const ledger = new BalanceLedgerStore();
  const cycleRecords = deps.cycleRecords ?? 'exceptions';
  const cycleTelemetry = deps.cycleTelemetry ?? false;
  // With a database the curve streams to it; without one it stays in memory for the chart.
  const writer = db ? new EquityCurveWriter(db.equityCurves, runId) : undefined;
  const equity = writer ?? new EquityCurve();

  // A replaced ANA runs alongside the default one, which keeps the run's result (below).
  let runAnalytics: Pipeline['stages']['ana'] | undefined;
  const userAna = deps.stages?.ANA;
  const stageOverrides: StageSet | undefined = userAna ? { ...deps.stages, ANA: withRunAnalytics(() => runAnalytics!, userAna) } : deps.stages;
  const pipeline: Pipeline = assemblePipeline({
    mode: 'backtest',
    config: deps.config,
    source,
    strategy,
    sizing: bt.sizing,
    startingCash: bt.cash,
    commission: bt.commission,
    stores: {
      ...(db ? { runs: db.runs, riskDecisions: db.riskDecisions } : {}),
      orders,
      ledger,
      audit: new AuditCompletenessCheck(),
      killSwitch: new MemoryKillSwitchStore(),
    },
    clock,
    random,
    equityCurve: equity,
    ...(deps.events ? { events: deps.events } : {}),
    ...(deps.observer ? { observer: deps.observer } : {}),
    cycleTelemetry: { trace: cycleTelemetry, metrics: cycleTelemetry },
    ...(deps.codeVersion ? { codeVersion: deps.codeVersion } : {}),
    ...(deps.commitHash ? { commitHash: deps.commitHash } : {}),
    ...(stageOverrides ? { stages: stageOverrides } : {}),
    ...(deps.riskPolicies ? { riskPolicies: deps.riskPolicies } : {}),
  });
  runAnalytics = pipeline.stages.ana;
  const { engine, stages } = pipeline;
  engine.start();

  const startedAt = toRfc3339(firstTs ?? 0);
  const root = startRootSpan(runId, cycleRecords);
  // The cycles' spans go beneath the run's only when they are made at all.
  const within = cycleTelemetry && root.context ? root.context : undefined;
  db?.runs.startRun({
    runId,
    mode: 'backtest',
    kind: 'backtest',
    startedAt,
    finishedAt: null,
    status: 'running',
    errorCodes: [],
    configSnapshotRef: db.runs.putConfigSnapshot(runId, {
      backtest: describeConfig(bt, seed),
      config: deps.config as unknown as Record<string, unknown>,
      // How the run was recorded (not an input of the run, so not part of its id).
      ...(cycleRecords !== 'all' ? { cycleRecords } : {}),
    }),
    codeVersion: deps.codeVersion ?? '0.0.0',
    commitHash: deps.commitHash ?? 'unknown',
    parentRunId: null,
    abortReason: null,
  });

  const total = deps.onProgress ? countTimestamps(source) : undefined;
  const batchSize = deps.batchSize ?? 1000;
  const cycles: Record<CycleStatus, number> = { ok: 0, degraded: 0, failed: 0, blocked: 0 };
  const release = new OrderRelease(orders, pipeline, ledger);
  let bars = 0;
  let error: BacktestResult['error'] = null;
  let inBatch = 0;
  try {
    for (let ts = source.peekTs(); ts !== undefined; ts = source.peekTs()) {
      if (db && inBatch === 0) db.beginBatch();
      clock.set(ts);
      const trigger = { kind: 'backtest', at: ts } as const;
      const options = { correlationId: `${runId}-${String(bars).padStart(7, '0')}`, parentRunId: runId, records: cycleRecords };
      const pending = within ? context.with(within, () => engine.runCycleMaybe(trigger, options)) : engine.runCycleMaybe(trigger, options);
      // Synchronous stages (the default pipeline) complete the cycle without a promise.
      const r = isPromiseLike(pending) ? await pending : pending;
      bars++;
      cycles[r.status]++;
      release.afterCycle(r.status);
      writer?.flushIfFull();
      if (db && ++inBatch >= batchSize) {
        commitBatch(db, writer);
        inBatch = 0;
      }
      if (deps.onProgress && (bars % 250 === 0 || source.peekTs() === undefined)) deps.onProgress(bars, total);
      if (r.status === 'failed') {
        const e = r.errors[0]!;
        error = { code: e.code, message: `cycle at ${toRfc3339(r.cycleTime)} failed: ${r.errors.map((x) => x.message).join('; ')}` };
        break;
      }
      if (source.peekTs() === ts) {
        throw new OrdinisError('E_INTERNAL', `data source did not advance past ${toRfc3339(ts)}`);
      }
    }
    // The last batch commits here, inside the try: a failed write fails the run like any other.
    if (db && inBatch > 0) commitBatch(db, writer);
    inBatch = 0;
  } catch (e) {
    writer?.discard();
    db?.endBatch(false);
    inBatch = 0;
    error = { code: e instanceof OrdinisError ? e.code : 'E_INTERNAL', message: e instanceof Error ? e.message : String(e) };
  } finally {
    source.close();
    await engine.stop();
  }

  const result = summarize(runId, pipeline, collectFills(release.fills, orders), bt, bars, cycles, error, source.symbols, { id: strategy.strategyId, params: { ...(strategy.params as Record<string, unknown>) } });
  endRootSpan(root.span, result);
  const artifacts: BacktestArtifacts = { equity: readChartCurve(equity), closedTrades: stages.ana.closedTrades() };
  if (db) persistResults(db, runId, result, artifacts, deps.commitHash ?? 'unknown', toRfc3339(clock.now()));
  return { result, artifacts };
}

/**
 * Releases the orders that reached a final status, between cycles, so memory stays flat
 * however many orders a run places. Their fills go to the result, and the order store and
 * the simulated venue forget them at once: nothing asks either about them again. The
 * ledger's twice-posted check and ANA's counts forget them after the next ok cycle: until
 * EXEC has run again it keeps the last cycle's reports, to hand over again any whose fills
 * the ledger does not hold. A report with a fill the ledger does not hold is never forgotten
 * there (EXEC hands it over until PORT posts it; only a failed stage leaves one).
 */
class OrderRelease {
  /** Fills of the released orders, in release order, as columns (no object per fill). */
  readonly fills = new FillColumns();
  /** Released, fills posted: forgotten by the ledger and ANA after the next ok cycle. */
  private retiring: ExecutionReport[] = [];

  constructor(
    private readonly orders: MemoryOrderStore,
    private readonly pipeline: Pipeline,
    private readonly ledger: BalanceLedgerStore,
  ) {}

  afterCycle(status: CycleStatus): void {
    if (status === 'ok' && this.retiring.length > 0) {
      for (const r of this.retiring) this.ledger.forgetFills(r.fills.map((f) => f.fillId));
      this.pipeline.stages.ana.forgetOrders(this.retiring);
      this.retiring = [];
    }
    const done = this.orders.releaseFinal();
    if (done.length === 0) return;
    for (const rec of done) {
      const r = rec.lastReport;
      if (r === null) continue;
      for (const f of r.fills) this.fills.push(f);
      if (r.fills.every((f) => this.ledger.hasFill(f.fillId))) this.retiring.push(r);
    }
    this.pipeline.venue?.forgetFinished(done.map((rec) => rec.intent.clientOrderId));
  }
}

/** Writes the curve's buffered points, then commits the batch they belong to. */
function commitBatch(db: OrdinisDatabase, writer: EquityCurveWriter | undefined): void {
  writer?.flush();
  db.endBatch();
}

/** The backtest's root span (the global tracer: a no-op unless the entry point installed the SDK) and, when it records, its context. */
function startRootSpan(runId: string, cycleRecords: CycleRecords): { span: Span; context: Context | undefined } {
  const span = getTracer().startSpan(BACKTEST_SPAN, { attributes: { [ATTR.correlationId]: runId, [ATTR.mode]: 'backtest', 'ordinis.cycle_records': cycleRecords } });
  return { span, context: span.isRecording() ? trace.setSpan(context.active(), span) : undefined };
}

function endRootSpan(span: Span, r: BacktestResult): void {
  span.setAttribute('ordinis.bars', r.bars);
  span.setAttribute(ATTR.status, r.status);
  if (r.error) span.setStatus({ code: SpanStatusCode.ERROR, message: `${r.error.code}: ${r.error.message}` });
  span.end();
}

/** The chart curve, read in one pass: from the stored rows (a row at a time) or the in-memory curve. */
function readChartCurve(equity: EquityCurveWriter | EquityCurve): EquityPoint[] {
  return chartCurve(equity.length, (visit) => equity.forEach(visit));
}

function summarize(
  runId: string,
  p: Pipeline,
  fills: BacktestFill[],
  bt: BacktestConfig,
  bars: number,
  cycles: Record<CycleStatus, number>,
  error: BacktestResult['error'],
  symbols: readonly string[],
  strategy: BacktestResult['strategy'],
): BacktestResult {
  const ana = p.stages.ana;
  const stats = ana.orderStats();
  const report = ana.latest();
  const finalCash = report ? p.stages.port.book().cash : bt.cash;
  const finalValue = report ? report.equity : bt.cash;
  return {
    runId,
    status: error ? 'failed' : 'ok',
    bars,
    symbols: [...symbols],
    strategy,
    orders: stats.orders,
    ordersFilled: stats.filled,
    ordersRejected: stats.rejected,
    ordersUnfilled: stats.unfilled,
    trades: ana.closedTrades().length,
    finalCash,
    finalValue,
    maxDrawdownPct: report?.kpis.maxDrawdownPct ?? 0,
    totalReturnPct: 100 * (finalValue / bt.cash - 1),
    totalCommission: fills.reduce((s, f) => s + f.commission, 0),
    fills,
    kpis: report?.kpis ?? null,
    quality: report?.quality ?? [],
    riskDenials: Object.fromEntries(Object.entries(ana.riskDenials()).map(([code, t]) => [code, { count: t!.count, firstDate: toRfc3339(t!.firstTs) }])),
    cycles,
    error,
  };
}

/**
 * Every fill the broker reported, in fill order (orders fill in submission order): those of
 * the orders released during the run (`all`), then of those still on file (added to `all`:
 * the run is over). Fills at one time are captured in one cycle, so they were released together,
 * in insertion order.
 */
function collectFills(all: FillColumns, orders: MemoryOrderStore): BacktestFill[] {
  for (const rec of orders.listAll()) for (const f of rec.lastReport?.fills ?? []) all.push(f);
  // A stable sort by time, as Array.prototype.sort on the fills themselves.
  const order = Array.from({ length: all.length }, (_, i) => i);
  order.sort((a, b) => all.ts[a]! - all.ts[b]!);
  return order.map((i) => ({ ts: toRfc3339(all.ts[i]!), symbol: all.symbol[i]!, side: all.side[i]!, qty: all.qty[i]!, price: all.price[i]!, commission: all.commission[i]! }));
}

/** What a backtest reports of its fills, one array per field (numbers stay unboxed). */
class FillColumns {
  readonly ts: number[] = [];
  readonly symbol: string[] = [];
  readonly side: Fill['side'][] = [];
  readonly qty: number[] = [];
  readonly price: number[] = [];
  readonly commission: number[] = [];

  get length(): number {
    return this.ts.length;
  }

  push(f: Fill): void {
    this.ts.push(f.ts);
    this.symbol.push(f.symbol);
    this.side.push(f.side);
    this.qty.push(f.qty);
    this.price.push(f.price);
    this.commission.push(f.commission);
  }
}

function persistResults(db: OrdinisDatabase, runId: string, result: BacktestResult, a: BacktestArtifacts, commitHash: string, finishedAt: string): void {
  db.transaction(() => {
    const put = (kind: string, content: unknown) => db.runs.putArtifact({ runId, kind, schemaVersion: '1.0.0', commitHash, content });
    put('backtest_summary', { ...result, fills: undefined });
    put('fills', result.fills);
    put('trades', a.closedTrades);
    put('equity_curve', a.equity);
    put('kpis', { kpis: result.kpis, quality: result.quality });
    db.runs.finishRun(runId, { finishedAt, status: result.status === 'ok' ? 'ok' : 'failed', errorCodes: result.error ? [result.error.code] : [] });
  });
}

function countTimestamps(source: BarSource): number | undefined {
  const s = source as BarSource & { timestamps?: () => Iterable<number> };
  if (typeof s.timestamps !== 'function') return undefined;
  let n = 0;
  for (const _ of s.timestamps()) n++;
  return n;
}

/** The pack given, or the one the registry holds under the id given, bound to the parameters. */
function resolveStrategy(bt: BacktestConfig, registry: StrategyRegistry | undefined): ResolvedStrategy {
  if (typeof bt.strategy !== 'string') return resolvePack(bt.strategy, bt.strategyParams) as ResolvedStrategy;
  return (registry ?? createStrategyRegistry()).resolve(bt.strategy, bt.strategyParams);
}

function describeConfig(bt: BacktestConfig, seed: number): Record<string, unknown> {
  return {
    dataFiles: bt.dataFiles,
    symbols: bt.symbols ?? null,
    // A pack given as an object is named by its id, as it would be in a registry.
    strategy: typeof bt.strategy === 'string' ? bt.strategy : bt.strategy.id,
    strategyParams: bt.strategyParams,
    sizing: bt.sizing,
    cash: bt.cash,
    commission: bt.commission,
    from: bt.from ?? null,
    to: bt.to ?? null,
    seed,
  };
}

/**
 * The run id of a backtest of these inputs (`seed`: its seed, ORCH_SEED when it gives none) in
 * a file that holds no run of them yet, and without a file: what a sweep knows each of its
 * backtests by before running it.
 */
export function backtestBaseRunId(bt: BacktestConfig, seed: number): string {
  return `bt-${createHash('sha256').update(JSON.stringify(describeConfig(bt, seed))).digest('hex').slice(0, 12)}`;
}

/** Same inputs, same run id (a rerun is recognisable); a rerun into the same file gets a counter. */
function backtestRunId(bt: BacktestConfig, seed: number, db: OrdinisDatabase | undefined): string {
  const base = backtestBaseRunId(bt, seed);
  let id = base;
  for (let n = 2; db?.runs.getRun(id); n++) id = `${base}-${n}`;
  return id;
}

export function validateBacktestConfig(bt: BacktestConfig): void {
  const bad = (what: string, value: unknown, expected: string): never => {
    throw new OrdinisError('E_CFG_INVALID', `backtest ${what} = ${JSON.stringify(value)}; expected ${expected}`);
  };
  if (!bt.source && (!Array.isArray(bt.dataFiles) || bt.dataFiles.length === 0)) bad('dataFiles', bt.dataFiles, 'at least one CSV file');
  if (bt.symbols && bt.symbols.length !== (bt.source ? bt.symbols.length : bt.dataFiles.length)) {
    bad('symbols', bt.symbols, `one symbol per data file (${bt.dataFiles.length})`);
  }
  if (bt.symbols && new Set(bt.symbols).size !== bt.symbols.length) bad('symbols', bt.symbols, 'distinct symbols');
  if (!Number.isFinite(bt.cash) || bt.cash <= 0) bad('cash', bt.cash, 'a positive amount');
  if (bt.sizing.kind === 'fixed' && (!Number.isInteger(bt.sizing.qty) || bt.sizing.qty <= 0)) bad('qty', bt.sizing.qty, 'a whole number of shares > 0');
  if (bt.sizing.kind === 'weight' && !(bt.sizing.weight > 0 && bt.sizing.weight <= 1)) bad('weight', bt.sizing.weight, 'a fraction in (0, 1]');
  if (bt.from && bt.to && bt.from > bt.to) bad('from', bt.from, `a date on or before --to ${bt.to}`);
}
