// Builds a real OrchestrationEngine around small scripted stages, for orchestrator tests.
import { ManualClock } from '../../src/core/clock.ts';
import { SeededRandom } from '../../src/core/random.ts';
import { KillSwitch } from '../../src/kill-switch/kill-switch.ts';
import { MemoryKillSwitchStore } from '../../src/kill-switch/contract.ts';
import { OrchestrationEngine, type EngineOptions, type OrchSettings } from '../../src/kernel/engine.ts';
import { STAGE_ORDER, type Stage, type StageContext, type StageName, type StageOutputs, type StageSet } from '../../src/kernel/stage-contract.ts';
import { RecordingEvents } from './recording-events.ts';

export const EMPTY_OUTPUTS: StageOutputs = {
  ING: { asOf: 0, bars: [] },
  FEAT: { vectors: [] },
  SIG: [],
  RISK: [],
  EXEC: { submitted: [], resolved: [], working: [], riskRejected: [], refused: [], recovered: [] },
  PORT: { ts: 0, cash: 0, equity: 0, positions: [], exposure: 0, realizedPnl: 0, unrealizedPnl: 0, fees: 0, postedFills: 0 },
  ANA: {
    ts: 0,
    equity: 0,
    quality: [],
    kpis: {
      totalReturnPct: 0, annualizedReturnPct: null, volatilityPct: null, sharpe: null, sortino: null, maxDrawdownPct: 0, maxDrawdownMoney: 0,
      calmar: null, winRatePct: null, profitFactor: null, exposurePct: 0, turnover: 0, fees: 0, trades: 0, bars: 0,
    },
  },
  AUDIT: { checked: 0, audited: 0, policyVersion: 'gov_v1', missing: [] },
};

export type Behaviour = (ctx: StageContext) => unknown;

/** A stage that logs its name into `calls` and runs the given behaviour (default: empty output). */
export function scriptedStages(calls: string[], behaviours: Partial<Record<StageName, Behaviour>> = {}): StageSet {
  const set: Record<string, Stage> = {};
  for (const name of STAGE_ORDER) {
    set[name] = {
      name,
      run(ctx: StageContext) {
        calls.push(name);
        const b = behaviours[name];
        return (b ? b(ctx) : EMPTY_OUTPUTS[name]) as never;
      },
    } as Stage;
  }
  return set as StageSet;
}

export const TEST_SETTINGS: OrchSettings = {
  cycleBudgetMs: 5000,
  stageBudgetMs: {},
  retryMax: 1,
  retry: { initialIntervalMs: 5, maximumIntervalMs: 20 },
  disabledStages: [],
  failClosedOnAudit: true,
  degradedAllowExec: true,
  failClosedOnDb: true,
  profile: 'dev',
};

export function makeEngine(opts: Partial<Omit<EngineOptions, 'settings'>> & { behaviours?: Partial<Record<StageName, Behaviour>>; settings?: Partial<OrchSettings> } = {}) {
  const calls: string[] = [];
  const events = new RecordingEvents();
  const clock = new ManualClock(Date.UTC(2024, 0, 2));
  const kill = opts.kill ?? new KillSwitch({ store: new MemoryKillSwitchStore(), clock, failSafe: true, events });
  const warnings: string[] = [];
  const engine = new OrchestrationEngine({
    mode: 'paper',
    stages: opts.stages ?? scriptedStages(calls, opts.behaviours),
    clock,
    random: new SeededRandom(7),
    kill,
    events,
    observer: { warn: (m) => warnings.push(m) },
    ...opts,
    settings: { ...TEST_SETTINGS, ...opts.settings },
  });
  return { engine, calls, events, kill, clock, warnings };
}
