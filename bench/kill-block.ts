// killBlockUs: from `kill.activate()` to the refusal of the next order submission, through
// the engine. A paper-like engine runs cycles back to back, each submitting one order
// through the real EXEC stage (governance preflight and audit, the order store and the kill
// switch all on one SQLite file; the paper broker fills at the close). An "operator" timer
// activates the switch at a random moment between cycles, as an ops API request would; the
// clock stops when the engine refuses the next submission (its kill gate emits
// `ordinis.ops.kill.block`). The operator then lifts the switch and the next round begins.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { EmitMeta, EventEmitterPort } from '../src/bus/contract.ts';
import { loadConfig } from '../src/config/load.ts';
import { systemClock } from '../src/core/clock.ts';
import { SeededRandom } from '../src/core/random.ts';
import type { Bar } from '../src/domain/market.ts';
import type { RiskDecision } from '../src/domain/risk.ts';
import type { Signal } from '../src/domain/signal.ts';
import { GovernanceEngine } from '../src/governance/governance-engine.ts';
import { HookManager } from '../src/governance/hooks/hook-manager.ts';
import { KillSwitch } from '../src/kill-switch/kill-switch.ts';
import { OrchestrationEngine } from '../src/kernel/engine.ts';
import { createEngineObserver } from '../src/observability/engine-observer.ts';
import { createOrchMetrics } from '../src/observability/metrics.ts';
import { openDatabase } from '../src/persistence/database.ts';
import { settingsFromConfig } from '../src/modes/assemble.ts';
import { AuditStage } from '../src/stages/audit/audit-stage.ts';
import type { StageOutputs } from '../src/kernel/stage-contract.ts';
import { CircuitBreaker } from '../src/adapters/resilience/circuit-breaker.ts';
import { ExecStage } from '../src/stages/exec/exec-stage.ts';
import { GuardedBroker } from '../src/adapters/venue/guarded-broker.ts';
import { PaperBroker } from '../src/adapters/venue/paper-broker.ts';
import { percentiles } from './lib/stats.ts';

export interface KillBlockResult {
  p95: number;
}

export interface KillBlockDetail extends KillBlockResult {
  p50: number;
  p99: number;
  n: number;
  ordersSubmitted: number;
}

const PORT_OUT: StageOutputs['PORT'] = { ts: 0, cash: 0, equity: 0, positions: [], exposure: 0, realizedPnl: 0, unrealizedPnl: 0, fees: 0, postedFills: 0 };

export async function benchKillBlock(quick: boolean): Promise<KillBlockDetail> {
  const rounds = quick ? 10 : 300;
  const config = loadConfig({ env: {}, profile: 'paper' }).config;
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-bench-kill-'));
  const db = openDatabase({ path: join(dir, 'kill.db') });
  const clock = systemClock;
  const random = new SeededRandom(11);
  const governance = new GovernanceEngine({ policyVersion: config.GOV_POLICY_VERSION, store: db.audit, clock });

  let activatedAt: number | undefined;
  const samples: number[] = [];
  const events: EventEmitterPort = {
    emit(topic: string, _payload: Record<string, unknown>, _meta?: EmitMeta): void {
      if (topic === 'ordinis.ops.kill.block' && activatedAt !== undefined) {
        samples.push((performance.now() - activatedAt) * 1000);
        activatedAt = undefined;
      }
    },
  };
  const kill = new KillSwitch({ store: db.killSwitch, clock, governance, events, failSafe: config.KILL_FAIL_SAFE });

  const venue = new PaperBroker({ startingCash: 1e12, fillTiming: 'close', clock });
  const bar: Bar = { symbol: 'ORCL', ts: Date.UTC(2024, 0, 2), open: 10, high: 11, low: 9, close: 10, volume: 1000 };
  venue.onBar(bar);
  const broker = new GuardedBroker(venue, { breaker: new CircuitBreaker({ clock }) });
  let submitted = 0;
  const engine = new OrchestrationEngine({
    mode: 'paper',
    settings: settingsFromConfig(config),
    clock,
    random,
    kill,
    events,
    hooks: new HookManager(config.HOOK_STAGE_BUDGET_MS),
    runStore: db.runs,
    observer: createEngineObserver({ metrics: createOrchMetrics() }),
    stages: {
      ING: { name: 'ING', run: (ctx) => ({ asOf: ctx.cycleTime, bars: [bar] }) },
      FEAT: { name: 'FEAT', run: () => ({ vectors: [] }) },
      SIG: {
        name: 'SIG',
        run: (ctx): Signal[] => [
          {
            signalId: `${ctx.correlationId}:ORCL`, symbol: 'ORCL', ts: bar.ts, direction: 'LONG', confidence: 1, horizon: 'next_bar',
            ttlMs: 0, modelId: 'bench@1', strategyId: 'bench', featureVersion: 'none', reason: 'bench',
          },
        ],
      },
      RISK: {
        name: 'RISK',
        run: (ctx): RiskDecision[] =>
          (ctx.data.SIG ?? []).map((s) => ({
            signalId: s.signalId, symbol: s.symbol, ts: s.ts, allowed: true, reasons: ['RISK.OK'], policyVersion: 'risk_v1',
            order: { side: 'buy', qty: 1, referencePrice: bar.close },
          })),
      },
      EXEC: new ExecStage({ broker, orderStore: db.orders, governance }),
      PORT: {
        name: 'PORT',
        run: (ctx) => {
          submitted += ctx.data.EXEC?.submitted.length ?? 0;
          return PORT_OUT;
        },
      },
      ANA: { name: 'ANA', run: () => ({ ts: 0, equity: 0, quality: [], kpis: emptyKpis() }) },
      AUDIT: new AuditStage({ governance }),
    },
  });
  engine.start();

  let operator: NodeJS.Timeout | undefined;
  const scheduleActivation = (): void => {
    // Somewhere in the next 0.5 to 3 ms: between cycles, wherever the loop happens to be.
    operator = setTimeout(() => {
      activatedAt = performance.now();
      kill.activate('bench: operator halt', 'operator');
    }, 0.5 + random.next() * 2.5);
  };
  try {
    scheduleActivation();
    while (samples.length < rounds) {
      const before = samples.length;
      const r = await engine.runCycle({ kind: 'timer' });
      if (r.status === 'failed') throw new Error(`bench cycle failed: ${JSON.stringify(r.errors)}`);
      if (samples.length > before) {
        kill.deactivate('operator');
        scheduleActivation();
      }
      await yieldToLoop();
    }
  } finally {
    clearTimeout(operator);
    await engine.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const p = percentiles(samples);
  return { p95: p.p95, p50: p.p50, p99: p.p99, n: p.n, ordersSubmitted: submitted };
}

function emptyKpis(): StageOutputs['ANA']['kpis'] {
  return {
    totalReturnPct: 0, annualizedReturnPct: null, volatilityPct: null, sharpe: null, sortino: null, maxDrawdownPct: 0, maxDrawdownMoney: 0,
    calmar: null, winRatePct: null, profitFactor: null, exposurePct: 0, turnover: 0, fees: 0, trades: 0, bars: 0,
  };
}
