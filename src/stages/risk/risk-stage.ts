// RISK: one decision per signal, decided against the BROKER's account (cash and positions
// after this bar's open fills: the venue is the source of truth for decisions; the ledger
// is reconciled against it in PORT). Signals are processed in the order SIG emitted them
// (the configured symbol order), which is also the submission order the cash check and the
// broker's fills follow. Denials are data (reason codes), not exceptions.

import type { AccountView } from '../../domain/portfolio.ts';
import type { RiskDecision, RiskReasonCode } from '../../domain/risk.ts';
import { runMaybeAsync, thenMaybe, type BrokerAdapter, type MaybePromise } from '../exec/broker-adapter.ts';
import type { Stage, StageContext } from '../contract.ts';
import { DEFAULT_POLICY_CHAIN, evaluateChain } from './chain.ts';
import { pseudoExecuteCash } from './policies/cash-check.ts';
import { normalizeRiskConfig, type RiskConfig, type RiskConfigInput, type RiskPolicy } from './policy.ts';

/** Where decisions go for the record (the `risk_decisions` table). Should be idempotent per correlation id. */
export interface RiskDecisionSink {
  record(correlationId: string, decisions: readonly RiskDecision[]): MaybePromise<void>;
}

export interface RiskStageOptions {
  /** The account decisions are made against: the broker's fetchAccount. */
  account: () => MaybePromise<AccountView>;
  /** Symbols with an unresolved order at the broker (e.g. from broker.fetchOpenOrders). Default: none. */
  workingSymbols?: () => MaybePromise<Iterable<string>>;
  /** Policy parameters; see RiskConfig for defaults. */
  config?: RiskConfigInput;
  /** Recorded on every decision. Default 'risk_v1'. */
  policyVersion?: string;
  sink?: RiskDecisionSink;
  /** The chain to run. Default DEFAULT_POLICY_CHAIN. */
  policies?: readonly RiskPolicy[];
}

/** `workingSymbols` for a broker: the symbols of its unresolved orders (none if it cannot list them). */
export function brokerWorkingSymbols(broker: BrokerAdapter): () => MaybePromise<Iterable<string>> {
  return () => (broker.fetchOpenOrders ? thenMaybe(broker.fetchOpenOrders(), (orders) => orders.map((o) => o.symbol)) : []);
}

export class RiskStage implements Stage<'RISK'> {
  readonly name = 'RISK' as const;
  readonly config: RiskConfig;
  readonly policyVersion: string;
  private readonly policies: readonly RiskPolicy[];
  /** Last close per symbol (symbols without a bar this cycle keep their last one). */
  private readonly marks = new Map<string, number>();
  private peak = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: RiskStageOptions) {
    this.config = normalizeRiskConfig(opts.config);
    this.policyVersion = opts.policyVersion ?? 'risk_v1';
    this.policies = opts.policies ?? DEFAULT_POLICY_CHAIN;
  }

  run(ctx: StageContext): MaybePromise<RiskDecision[]> {
    return runMaybeAsync(this.flow(ctx));
  }

  summarize(out: RiskDecision[]): Record<string, unknown> {
    const reasons: Partial<Record<RiskReasonCode, number>> = {};
    for (const d of out) for (const r of d.reasons) reasons[r] = (reasons[r] ?? 0) + 1;
    return { signals: out.length, allowed: out.filter((d) => d.allowed).length, denied: out.filter((d) => !d.allowed).length, reasons };
  }

  /** Peak equity seen so far (for reports and tests). */
  get peakEquity(): number {
    return this.peak;
  }

  private *flow(ctx: StageContext): Generator<unknown, RiskDecision[], unknown> {
    const account = (yield this.opts.account()) as AccountView;
    const working = new Set<string>(this.opts.workingSymbols ? ((yield this.opts.workingSymbols()) as Iterable<string>) : []);

    const ing = ctx.data.ING;
    if (ing) for (const b of ing.bars) this.marks.set(b.symbol, b.close);
    let equity = account.cash;
    for (const [symbol, qty] of account.positions) {
      const mark = this.marks.get(symbol);
      if (mark !== undefined) equity += qty * mark;
    }
    if (equity > this.peak) this.peak = equity;

    const killActive = ctx.kill.isActive();
    let runningCash = account.cash;
    const decisions: RiskDecision[] = [];
    for (const signal of ctx.data.SIG ?? []) {
      const out = evaluateChain(this.policies, signal, {
        config: this.config,
        nowMs: ctx.cycleTime,
        killActive,
        stale: ing?.stale,
        account,
        prices: this.marks,
        equity,
        peakEquity: this.peak,
        workingSymbols: working,
        runningCash,
      });
      if (out.order) {
        // Allowed and cash-rejected orders both went through the pseudo-execution; like
        // backtrader, a rejected buy leaves its (negative) result in the running cash.
        runningCash = pseudoExecuteCash(runningCash, out.order, this.config.commission);
        working.add(signal.symbol);
      }
      const d: RiskDecision = { signalId: signal.signalId, symbol: signal.symbol, ts: signal.ts, allowed: out.allowed, reasons: out.reasons, policyVersion: this.policyVersion };
      if (out.order) d.order = { side: out.order.side, qty: out.order.qty, referencePrice: out.order.referencePrice };
      if (out.notes.length > 0) d.adjustments = out.notes;
      decisions.push(d);
    }
    if (this.opts.sink) yield this.opts.sink.record(ctx.correlationId, decisions);
    return decisions;
  }
}
