// `ordinis paper` (its options: commands/paper.ts): paper trading. The default pipeline in
// mode 'paper' against a durable simulated venue, fed by a file replay at a chosen speed
// (default: the bundled ORCL sample).
// The paper book, the venue and the run record live in one SQLite file; every start runs
// crash-only recovery first and resumes after the last bar whose cycle finished, so a run
// can be killed at any moment and restarted with the same command.
//
// SIGINT/SIGTERM: stop scheduling, let the running cycle finish (or hit its budget), print
// the summary, close the database, exit 0. A failed recovery refuses to trade: exit 1 with
// the reasons (with --serve, the ops API stays up answering /readyz 503 until a signal).
//
// The process's bus (SB_* keys) carries the engine's events to `--events` (JSON lines on
// stdout; the summary then goes to stderr) and to the ops API's GET /events; with --serve,
// POST /backtests requests go over it to an engine of their own (backtest-requests.ts).

import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { createBus, createModeEmitter, deadLetterRows } from '../../bus/create-bus.ts';
import { writeEventsAsJsonLines, type JsonLinesWriter } from '../../bus/json-lines-writer.ts';
import { topicPatternsFromList } from '../../bus/topic-pattern.ts';
import { systemClock } from '../../core/clock.ts';
import { SeededRandom } from '../../core/random.ts';
import { OrdinisError } from '../../errors.ts';
import { startBacktestRequests, type BacktestRequestService } from '../../modes/backtest/backtest-requests.ts';
import { createEngineObserver, observeKillSwitch } from '../../observability/engine-observer.ts';
import { AlertMonitor } from '../../observability/alerts.ts';
import { componentLogger } from '../../observability/logger.ts';
import { createOrchMetrics } from '../../observability/metrics.ts';
import { registerTradingMetrics } from '../../observability/trading-metrics.ts';
import { tradeLogTo } from '../../modes/paper/trade-log.ts';
import { TerminalStatusLine } from '../terminal-status-line.ts';
import { paperStatusLine } from '../paper-status-line.ts';
import { OpsServer, opsLimitsFromConfig } from '../../server/ops-server.ts';
import { setupTracing, tracingOptionsFromConfig } from '../../observability/tracing.ts';
import { buildInfo } from '../../core/build-info.ts';
import { PaperRuntime, type PaperRunSummary } from '../../modes/paper/paper-runtime.ts';
import { describeRecovery } from '../../modes/recovery/recovery.ts';
import { watchShutdownSignals } from '../../modes/paper/shutdown-signals.ts';
import { makeContext, type GlobalOptions } from '../context.ts';
import { modeForCommand } from '../../modes/mode-table.ts';
import { assertLiveAllowed } from '../../modes/live/live-settings.ts';
import { checkTradingVenue, openTradingVenue } from '../trading-venue.ts';
import { configOverridesOf, decimalFlag, toBacktestConfig, type PipelineFlags } from '../pipeline-options.ts';
import { loadCliStrategy, strategyFileFingerprint } from '../pipeline-strategy.ts';
import { commissionModelOf } from '../../domain/commission.ts';

interface PaperFlags extends PipelineFlags {
  /** Replay speed (paper without --feed). */
  speed?: string;
  /** `--feed NAME`: live bars from a venue of the table (modes/live/venue-table.ts). */
  feed?: string;
  /** `ordinis live --broker NAME`: the broker the orders go to. */
  broker?: string;
  maxCycles?: string;
  serve?: boolean;
  json?: boolean;
  adopt?: boolean;
  newBook?: boolean;
  allowLargePurge?: boolean;
  /** true (no pattern given) or a comma list of topic patterns. */
  events?: boolean | string;
}

/** `ordinis paper`, and `ordinis live` (command 'live': the same loop with a real broker, actions/live.ts). */
export async function runPaperCommand(flags: PaperFlags, cmd: Command, command: 'paper' | 'live' = 'paper'): Promise<void> {
  const g = cmd.optsWithGlobals() as GlobalOptions;
  // On a terminal, a live status line under the logs (only there: on a pipe it would be noise).
  const statusLine = process.stderr.isTTY ? new TerminalStatusLine(process.stderr) : undefined;
  const ctx = makeContext({ ...g, ...(flags.db ? { db: flags.db } : {}) }, configOverridesOf(flags), undefined, statusLine?.logDestination);
  // The command is the mode; an ORCH_MODE set to another one refuses (mode-table.ts).
  modeForCommand(command, ctx.loaded);
  // Live refuses before anything is opened unless LIVE_ENABLED and the prod invariants say it may trade.
  if (command === 'live') assertLiveAllowed(ctx.config);
  await checkTradingVenue(command, flags, ctx.config);
  const parsed = toBacktestConfig(flags, ctx.config.BROKER_STARTING_CASH, commissionModelOf(ctx.config.EXEC_COMMISSION_MODEL, ctx.config.EXEC_COMMISSION_VALUE), {
    strategy: ctx.config.SIG_STRATEGY,
    params: ctx.config.SIG_STRATEGY_PARAMS,
  });
  // A strategy file is loaded and resolved before the database opens: a bad one leaves no
  // run row and no paper book; its version and content become part of the book's identity.
  const strategy = await loadCliStrategy(parsed.strategy, parsed.strategyParams);
  const strategyFile = strategyFileFingerprint(strategy);
  const bt = { ...parsed, strategy: strategy.id };
  const speed = decimalFlag('--speed', flags.speed ?? '0', { min: 0 });
  const maxCycles = flags.maxCycles !== undefined ? decimalFlag('--max-cycles', flags.maxCycles, { integer: true, min: 1 }) : undefined;
  if (flags.adopt && flags.newBook) throw new OrdinisError('E_CFG_INVALID', '--adopt and --new-book: give one or the other (take the old book over, or start a fresh one)');
  const eventPatterns = flags.events === undefined || flags.events === false ? undefined : topicPatternsFromList(flags.events === true ? '' : flags.events, '--events');
  const logger = componentLogger(ctx.logger, 'paper');
  const metrics = createOrchMetrics(undefined, { processMetrics: flags.serve === true });
  const alerts = new AlertMonitor({ logger, metrics, consecutiveFailureThreshold: ctx.config.OBS_ALERT_CONSECUTIVE_FAILURES });
  const info = buildInfo();
  const db = ctx.openDb();
  // The SDK is wired here, at the edge; engines only use @opentelemetry/api.
  const tracing = setupTracing({ ...tracingOptionsFromConfig(ctx.config), serviceVersion: info.codeVersion });
  let runtime: PaperRuntime | undefined;
  let ops: OpsServer | undefined;
  let backtests: BacktestRequestService | undefined;
  let eventLines: JsonLinesWriter | undefined;
  // Dead letters go to the paper database's `dlq` table; bus figures to /metrics.
  const bus = createBus(ctx.config, { clock: systemClock, deadLetters: deadLetterRows(db.deadLetters), onMetric: metrics.bus.onBusMetric });
  // Event ids are not part of any result: a fresh seed per process keeps them unique.
  const eventIds = new SeededRandom(randomBytes(4).readUInt32LE(0));
  const events = createModeEmitter({
    bus,
    config: ctx.config,
    clock: systemClock,
    random: eventIds,
    source: 'orch.paper',
    venue: command === 'live' ? (flags.broker ?? 'live') : 'paper',
    onEmitFailure: (f) => logger.warn({ topic: f.topic, code: f.error.code }, `event not published: ${f.error.message}`),
  });
  if (eventPatterns) eventLines = writeEventsAsJsonLines(bus, eventPatterns, process.stdout);
  const signals = watchShutdownSignals(
    (signal) => {
      logger.info({ signal }, 'stopping: no new cycles; the running one finishes');
      void runtime?.stop();
    },
    (signal) => logger.warn({ signal }, 'already stopping'),
  );
  try {
    // --feed / --broker: the venue table's feed (and broker); none: the files replayed.
    const venue = await openTradingVenue(command, flags, ctx.config, db);
    runtime = await PaperRuntime.open({
      config: ctx.config,
      db,
      data: venue?.data ?? {
        kind: 'replay',
        files: bt.dataFiles,
        ...(bt.symbols ? { symbols: bt.symbols } : {}),
        ...(bt.from ? { from: bt.from } : {}),
        ...(bt.to ? { to: bt.to } : {}),
        speed,
      },
      strategy: bt.strategy,
      strategyParams: bt.strategyParams,
      ...(strategy.kind === 'file' ? { registry: strategy.registry } : {}),
      ...(strategyFile ? { strategyFile } : {}),
      sizing: bt.sizing,
      cash: venue?.cash ?? bt.cash,
      ...(venue?.live ? { live: venue.live } : {}),
      commission: bt.commission,
      ...(maxCycles !== undefined ? { maxCycles } : {}),
      book: flags.adopt ? 'adopt' : flags.newBook ? 'new' : 'refuse',
      ...(bt.seed !== undefined ? { seed: bt.seed } : {}),
      observer: createEngineObserver({ metrics, alerts, logger }),
      tradeLog: tradeLogTo(logger),
      bus,
      events,
      codeVersion: info.codeVersion,
      commitHash: info.commitHash,
    });
    const rt = runtime;
    const rec = rt.recovery;
    if (rec.ok) logger.info({ recovery: rec }, `start-up recovery: ${describeRecovery(rec)}`);
    if (rec.ok) {
      // Retention runs at start-up, after the chain was verified (a purge refuses a broken one).
      // Past DB_RETENTION_MAX_PURGE_PCT of a table it deletes nothing and the start fails
      // (E_DB_RETENTION_REFUSED): a wall clock that jumped forward must not wipe history.
      const purged = db.purgeOlderThan({
        runsDays: ctx.config.DB_RETENTION_DAYS,
        auditDays: ctx.config.AUDIT_RETENTION_DAYS,
        maxPurgePct: ctx.config.DB_RETENTION_MAX_PURGE_PCT,
        allowLargePurge: flags.allowLargePurge === true,
        logger,
      });
      logger.info({ retention: purged }, 'retention purge done');
    }
    else logger.error({ recovery: rec }, `start-up recovery failed; trading refused: ${rec.reasons.join(' | ')}`);
    for (const w of rec.warnings) logger.warn({}, w);
    observeKillSwitch(rt.pipeline.kill, metrics, alerts);
    // The book's figures (equity, positions, orders, ...) are read from the runtime at each scrape.
    registerTradingMetrics(metrics.registry, () => rt.tradingView());

    if (flags.serve) {
      backtests = startBacktestRequests({
        config: ctx.config,
        // Its own thread and connection: a requested backtest holds up no paper cycle.
        dbPath: db.path,
        bus,
        events,
        random: eventIds,
        codeVersion: info.codeVersion,
        commitHash: info.commitHash,
      });
      ops = new OpsServer({
        bus,
        backtests,
        status: () => rt.statusReport(),
        db,
        kill: rt.pipeline.kill,
        metrics: metrics.registry,
        readiness: () => rt.readiness(),
        book: () => rt.bookReport(),
        ...(ctx.config.API_TOKEN ? { token: ctx.config.API_TOKEN } : {}),
        host: ctx.config.API_HOST,
        port: ctx.config.API_PORT,
        logger: componentLogger(ctx.logger, 'server'),
        auditVerifyMinIntervalMs: ctx.config.AUDIT_VERIFY_MIN_INTERVAL_MS,
      limits: opsLimitsFromConfig(ctx.config),
      unauthorizedLogIntervalMs: ctx.config.API_UNAUTHORIZED_LOG_INTERVAL_MS,
      });
      await ops.listen();
    }

    if (!rec.ok) {
      if (ops && !signals.received) {
        logger.error({}, 'refusing to trade; the ops API stays up (GET /readyz answers 503 with the reasons) until SIGINT/SIGTERM');
        await signals.signalled;
      }
      throw new OrdinisError('E_RECOVERY_FAILED', `start-up recovery failed; trading refused: ${rec.reasons.join(' | ')}`, { details: { reasons: rec.reasons } });
    }

    if (signals.received) void rt.stop();
    logger.info({ session: rt.sessionId, db: db.path, speed, resumedAfter: rt.statusReport().runtime.resumedAfter }, 'paper runtime started');
    const stopStatus = statusLine ? showPaperStatus(statusLine, rt) : undefined;
    const summary = await rt.run();
    stopStatus?.();
    // Requests still queued are dropped (the bus counts them); one running finishes. Then
    // every event of the run reaches --events and /events before the summary.
    await backtests?.stop();
    await bus.drain();
    eventLines?.close();
    const out = eventLines ? process.stderr : process.stdout;
    if (flags.json) out.write(`${JSON.stringify(summary)}\n`);
    else out.write(formatSummary(summary));
    // Stopped on database faults: the summary above, then the code and last cause on stderr.
    if (rt.failure) throw rt.failure;
    process.exitCode = summary.status === 'failed' ? 1 : 0;
  } finally {
    statusLine?.close();
    signals.dispose();
    await ops?.close();
    await backtests?.stop();
    eventLines?.close();
    bus.close();
    runtime?.close();
    db.close();
    await tracing.shutdown();
  }
}



/** Redraws the status line every STATUS_INTERVAL_MS from the runtime; returns the stop. */
function showPaperStatus(line: TerminalStatusLine, rt: PaperRuntime): () => void {
  const draw = (): void => {
    const s = rt.statusReport();
    line.show(paperStatusLine({ state: String(s.runtime.state), lastBarTime: s.runtime.lastBarTime as string | null, cycles: s.counts, kill: s.kill.state, view: rt.tradingView() }));
  };
  draw();
  const timer = setInterval(draw, STATUS_INTERVAL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    line.close();
  };
}

const STATUS_INTERVAL_MS = 250;

const END_TEXT: Record<PaperRunSummary['endReason'], string> = {
  data_exhausted: 'data exhausted',
  max_cycles: 'max cycles reached',
  stopped: 'stopped by signal',
  source_stalled: 'data source stalled',
  recovery_failed: 'recovery failed',
  persistence_failed: 'database writes failing',
};

const BOOK_TEXT: Record<PaperRunSummary['book']['action'], string> = {
  create: 'new database',
  record: 'identity recorded',
  same: 'resumed',
  adopt: 'adopted',
  new: 'new book',
};

export function formatSummary(s: PaperRunSummary): string {
  const money = (x: number) => x.toFixed(2);
  const pos = (p: Record<string, number>) => (Object.keys(p).length === 0 ? 'flat' : Object.entries(p).map(([k, v]) => `${k} ${v}`).join(', '));
  const c = s.cycles;
  const lines = [
    `session    ${s.sessionId}  (${s.status}: ${END_TEXT[s.endReason]})`,
    `start      ${s.resumedAfter ? `resumed after ${s.resumedAfter} (FEAT/SIG warmed up on ${s.warmupBars} bars)` : 'fresh start'}`,
    `cycles     ${c.total} (ok ${c.ok}, blocked ${c.blocked}, degraded ${c.degraded}, failed ${c.failed}), skipped ${c.skipped}`,
    `last bar   ${s.lastBarTime ?? '—'}`,
    `orders     ${s.ordersThisSession} this session`,
    `recovery   ${s.recovery.summary}`,
    `venue      cash ${money(s.venue.cash)}, ${pos(s.venue.positions)}, ${s.venue.orders} orders, ${s.venue.fills} fills`,
    `ledger     cash ${money(s.ledger.cash)}, ${pos(s.ledger.positions)}, ${s.ledger.fills} fills`,
    `equity     ${s.equity === null ? '—' : money(s.equity)}`,
    `kill       ${s.killSwitch.state}${s.killSwitch.reason ? ` (${s.killSwitch.reason})` : ''}`,
    `book       ${s.book.identity} (${BOOK_TEXT[s.book.action]})`,
  ];
  if (s.book.action === 'adopt') {
    lines.push(`adopted    ${s.book.differences.join('; ') || 'same settings'}; positions taken over: ${pos(s.book.positionsTakenOver)}, ${s.book.workingOrdersTakenOver} working orders`);
  }
  for (const e of s.errors.slice(0, 5)) lines.push(`error      ${e}`);
  lines.push(`database   ${s.db}`);
  return `${lines.join('\n')}\n`;
}
