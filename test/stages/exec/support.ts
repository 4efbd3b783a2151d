// Test support for the trading-path stages: a stage context builder, a tiny in-test
// Governance fake, bar/signal builders and a hand-driven pipeline (ING → SIG → RISK → EXEC
// → PORT → ANA → AUDIT) around a PaperBroker.

import { ManualClock } from '../../../src/core/clock.ts';
import { SeededRandom } from '../../../src/core/random.ts';
import type { Bar, MarketSnapshot } from '../../../src/domain/market.ts';
import type { Direction, Signal } from '../../../src/domain/signal.ts';
import { OrdinisError } from '../../../src/errors.ts';
import type { AuditInput, GovContext, GovDecision, Governance } from '../../../src/governance/contract.ts';
import type { StageContext, StageName, StageOutputs } from '../../../src/kernel/stage-contract.ts';
import { AnalyticsStage, type AnalyticsStageOptions } from '../../../src/stages/ana/analytics-stage.ts';
import { AuditStage } from '../../../src/stages/audit/audit-stage.ts';
import { ExecStage } from '../../../src/stages/exec/exec-stage.ts';
import { MemoryOrderStore } from '../../../src/adapters/memory/memory-order-store.ts';
import { PaperBroker, type PaperBrokerOptions } from '../../../src/adapters/venue/paper-broker.ts';
import { MemoryLedgerStore } from '../../../src/adapters/memory/memory-ledger-store.ts';
import { PortfolioStage } from '../../../src/stages/port/portfolio-stage.ts';
import type { RiskConfigInput } from '../../../src/stages/risk/policy.ts';
import { RiskStage, brokerWorkingSymbols } from '../../../src/stages/risk/risk-stage.ts';

export const DAY = 86_400_000;
export const T0 = Date.UTC(2024, 0, 2);

export interface CtxInput {
  correlationId?: string;
  cycleTime?: number;
  cycleIndex?: number;
  stage?: StageName;
  attempt?: number;
  killed?: boolean | (() => boolean);
  data?: Partial<StageOutputs>;
}

export function makeCtx(i: CtxInput = {}): StageContext {
  const cycleTime = i.cycleTime ?? T0;
  const killed = i.killed ?? false;
  return {
    correlationId: i.correlationId ?? `c-${cycleTime}`,
    traceId: 'trace',
    mode: 'backtest',
    stage: i.stage ?? 'RISK',
    attempt: i.attempt ?? 1,
    cycleTime,
    cycleIndex: i.cycleIndex ?? 0,
    trigger: { kind: 'backtest', at: cycleTime },
    signal: new AbortController().signal,
    aborted: false,
    clock: new ManualClock(cycleTime),
    random: new SeededRandom(1),
    kill: { isActive: () => (typeof killed === 'function' ? killed() : killed) },
    data: i.data ?? {},
  };
}

export function bar(symbol: string, ts: number, open: number, close: number, extra: Partial<Bar> = {}): Bar {
  return { symbol, ts, open, high: Math.max(open, close), low: Math.min(open, close), close, volume: 1000, ...extra };
}

let signalSeq = 0;
export function signal(symbol: string, direction: Direction, ts: number, extra: Partial<Signal> = {}): Signal {
  signalSeq += 1;
  return {
    signalId: `sig-${symbol}-${ts}-${signalSeq}`,
    symbol,
    ts,
    direction,
    confidence: 1,
    horizon: '1d',
    ttlMs: 0,
    modelId: 'test',
    strategyId: 'test',
    featureVersion: 'f1',
    reason: 'test',
    ...extra,
  };
}

/** A Governance fake: allow by default, a scriptable verdict, an in-memory audit log. */
export class FakeGovernance implements Governance {
  readonly policyVersion = 'gov_test_v1';
  readonly records: (AuditInput & { seq: number; policyVersion: string })[] = [];
  readonly preflights: GovContext[] = [];
  verdict: (ctx: GovContext) => Pick<GovDecision, 'decision' | 'reasons'> & { patch?: Record<string, unknown> } = () => ({ decision: 'allow', reasons: [] });
  failAudits = false;
  /** Subject refs to pretend were never audited (for AUDIT tests). */
  readonly forget = new Set<string>();
  private readonly subjects = new Set<string>();

  preflight(ctx: GovContext): GovDecision {
    this.preflights.push(ctx);
    const v = this.verdict(ctx);
    const auditRef = this.audit({ kind: 'gov.preflight', componentId: ctx.componentId, action: ctx.action, actor: ctx.actor, correlationId: ctx.correlationId, decision: v.decision, payload: ctx.payload });
    return { ...v, policyVersion: this.policyVersion, auditRef };
  }

  audit(record: AuditInput): number {
    if (this.failAudits) throw new OrdinisError('E_GOV_AUDIT_WRITE_FAILED', 'fake audit failure');
    const seq = this.records.length + 1;
    this.records.push({ ...record, seq, policyVersion: this.policyVersion });
    if (record.subjectRef) this.subjects.add(record.subjectRef);
    return seq;
  }

  auditedSubjects(refs: readonly string[]): Set<string> {
    return new Set(refs.filter((r) => this.subjects.has(r) && !this.forget.has(r)));
  }

  submitAudits(): FakeGovernance['records'] {
    return this.records.filter((r) => r.kind === 'exec.submit');
  }
}

export interface PipelineOptions {
  broker?: PaperBrokerOptions;
  risk?: RiskConfigInput;
  startingCash?: number;
  ana?: AnalyticsStageOptions;
}

/** The trading path driven by hand, one cycle per time step. */
export class Pipeline {
  readonly broker: PaperBroker;
  readonly orders = new MemoryOrderStore();
  readonly ledger = new MemoryLedgerStore();
  readonly gov = new FakeGovernance();
  readonly risk: RiskStage;
  readonly exec: ExecStage;
  readonly port: PortfolioStage;
  readonly ana: AnalyticsStage;
  readonly audit: AuditStage;
  killed = false;
  breaches: OrdinisError[] = [];
  cycle = 0;

  constructor(o: PipelineOptions = {}) {
    const cash = o.startingCash ?? 100000;
    this.broker = new PaperBroker({ startingCash: cash, ...o.broker });
    const broker = this.broker;
    this.risk = new RiskStage({
      account: () => broker.fetchAccount(),
      workingSymbols: brokerWorkingSymbols(broker),
      config: { commission: broker.commission, ...o.risk },
    });
    this.exec = new ExecStage({ broker, orderStore: this.orders, governance: this.gov });
    this.port = new PortfolioStage({
      ledgerStore: this.ledger,
      startingCash: cash,
      account: () => broker.fetchAccount(),
      onInvariantBreach: (e) => {
        this.breaches.push(e);
        this.killed = true;
      },
    });
    this.ana = new AnalyticsStage({ startingCash: cash, ...o.ana });
    this.audit = new AuditStage({ governance: this.gov });
  }

  /** One cycle: the bars of time `ts` reach the broker first, then the stages run in order. */
  step(ts: number, bars: Bar[], signals: Signal[] = []): Partial<StageOutputs> {
    this.cycle += 1;
    const data: Partial<StageOutputs> = {};
    this.broker.onBars(bars);
    const ing: MarketSnapshot = { asOf: ts, bars };
    data.ING = ing;
    data.FEAT = { vectors: [] };
    data.SIG = signals;
    const base = makeCtx({ correlationId: `cycle-${this.cycle}`, cycleTime: ts, cycleIndex: this.cycle, killed: () => this.killed, data });
    const ctx = (stage: StageName): StageContext => ({ ...base, stage });
    data.RISK = this.risk.run(ctx('RISK')) as StageOutputs['RISK'];
    data.EXEC = this.exec.run(ctx('EXEC')) as StageOutputs['EXEC'];
    data.PORT = this.port.run(ctx('PORT')) as StageOutputs['PORT'];
    data.ANA = this.ana.run(ctx('ANA'));
    data.AUDIT = this.audit.run(ctx('AUDIT'));
    return data;
  }
}
