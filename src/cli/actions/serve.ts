// `ordinis serve`: the ops HTTP API (health, readiness, metrics, status, runs, audit, kill
// switch) over a database, without running cycles. Readiness says so: /readyz answers 503
// with "no cycles are scheduled", since nothing here trades. SIGINT/SIGTERM closes the server
// (requests in flight finish) and the database, exit 0.
//
// Kill-switch changes made here are persisted to the database; an engine running over the
// same file (`ordinis paper`) adopts them at its next cycle.
//
// It has a bus of its own (SB_* keys): POST /backtests runs a backtest here, on an engine
// that serves only those requests, and GET /events streams this process's events (the
// requests' outcomes, kill-switch changes made here). A paper run's cycle events are on
// that run's own `--serve` API, not this one.

import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { createBus, createModeEmitter, deadLetterRows } from '../../bus/create-bus.ts';
import { systemClock } from '../../core/clock.ts';
import { SeededRandom } from '../../core/random.ts';
import { buildInfo } from '../../core/build-info.ts';
import { startBacktestRequests, type BacktestRequestService } from '../../modes/backtest/backtest-requests.ts';
import { GovernanceEngine } from '../../governance/governance-engine.ts';
import { KillSwitch } from '../../kill-switch/kill-switch.ts';
import { componentLogger } from '../../observability/logger.ts';
import { observeKillSwitch } from '../../observability/engine-observer.ts';
import { AlertMonitor } from '../../observability/alerts.ts';
import { createOrchMetrics } from '../../observability/metrics.ts';
import { OpsServer, opsLimitsFromConfig } from '../../server/ops-server.ts';
import { watchShutdownSignals } from '../../modes/paper/shutdown-signals.ts';
import { makeContext, type GlobalOptions } from '../context.ts';

export const SERVE_NOT_READY = 'no cycles are scheduled: `ordinis serve` serves the ops API only (run `ordinis paper` to trade)';

export async function runServeCommand(flags: { db?: string }, cmd: Command): Promise<void> {
  const g = cmd.optsWithGlobals() as GlobalOptions;
  const ctx = makeContext({ ...g, ...(flags.db ? { db: flags.db } : {}) });
  const logger = componentLogger(ctx.logger, 'serve');
  const signals = watchShutdownSignals(
    (signal) => logger.info({ signal }, 'stopping the ops API'),
    (signal) => logger.warn({ signal }, 'already stopping'),
  );
  const db = ctx.openDb();
  let server: OpsServer | undefined;
  let backtests: BacktestRequestService | undefined;
  const metrics = createOrchMetrics(undefined, { processMetrics: true });
  const bus = createBus(ctx.config, { clock: systemClock, deadLetters: deadLetterRows(db.deadLetters), onMetric: metrics.bus.onBusMetric });
  const eventIds = new SeededRandom(randomBytes(4).readUInt32LE(0));
  const events = createModeEmitter({
    bus,
    config: ctx.config,
    clock: systemClock,
    random: eventIds,
    source: 'orch.serve',
    venue: 'paper',
    onEmitFailure: (f) => logger.warn({ topic: f.topic, code: f.error.code }, `event not published: ${f.error.message}`),
  });
  try {
    const governance = new GovernanceEngine({ policyVersion: ctx.config.GOV_POLICY_VERSION, store: db.audit, clock: systemClock });
    const kill = new KillSwitch({ store: db.killSwitch, clock: systemClock, governance, events, failSafe: ctx.config.KILL_FAIL_SAFE });
    if (kill.loadError) logger.error({ err: kill.loadError, kill: kill.get() }, 'kill switch state unreadable at start-up');
    observeKillSwitch(kill, metrics, new AlertMonitor({ logger, metrics, consecutiveFailureThreshold: ctx.config.OBS_ALERT_CONSECUTIVE_FAILURES }));
    const startedAt = new Date().toISOString();
    const info = buildInfo();
    backtests = startBacktestRequests({
      config: ctx.config,
      // Its own thread and connection: a backtest holds up no API request.
      dbPath: db.path,
      bus,
      events,
      random: eventIds,
      codeVersion: info.codeVersion,
      commitHash: info.commitHash,
    });
    server = new OpsServer({
      bus,
      backtests,
      status: () => ({ state: 'serving', mode: 'serve', startedAt, inFlight: null, note: SERVE_NOT_READY, kill: { state: kill.get().state, reason: kill.get().reason } }),
      db,
      kill,
      metrics: metrics.registry,
      readiness: () => ({ ready: false, reasons: db.isOpen ? [SERVE_NOT_READY] : [SERVE_NOT_READY, 'database closed'] }),
      ...(ctx.config.API_TOKEN ? { token: ctx.config.API_TOKEN } : {}),
      host: ctx.config.API_HOST,
      port: ctx.config.API_PORT,
      logger: componentLogger(ctx.logger, 'server'),
      auditVerifyMinIntervalMs: ctx.config.AUDIT_VERIFY_MIN_INTERVAL_MS,
      limits: opsLimitsFromConfig(ctx.config),
      unauthorizedLogIntervalMs: ctx.config.API_UNAUTHORIZED_LOG_INTERVAL_MS,
    });
    if (!signals.received) {
      await server.listen();
      await signals.signalled;
    }
    process.exitCode = 0;
  } finally {
    signals.dispose();
    await server?.close();
    await backtests?.stop();
    bus.close();
    db.close();
  }
}
