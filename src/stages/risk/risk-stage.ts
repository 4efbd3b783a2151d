// RISK: one decision per signal, decided against the BROKER's account (cash and positions
// after this bar's open fills: the venue is the source of truth for decisions; the ledger
// is reconciled against it in PORT). Signals are processed in the order SIG emitted them
// (the configured symbol order), which is also the submission order the cash check and the
// broker's fills follow. Denials are data (reason codes), not exceptions.
//
// A reversal (LONG while short, SHORT while long) is two orders, decided in turn: the close
// (the signal's own decision), then, if the close is allowed, the opening order, decided as
// `<signalId>/open` against the account as the close leaves it (the symbol flat, the running
// cash after the close), like backtrader's submission check pseudo-executing each order
// against the position the earlier ones left.
//
// A strategy's explicit order is one decision through the chain like any other (no reversal
// split). A bracket is its entry, then its stop-loss and take-profit (`<signalId>/sl`,
// `/tp`), each through the chain against the position the entry leaves and the running cash
// after it; a child denied denies the bracket (RISK.BRACKET.CHILD_DENIED on the entry, whose
// cash stays spent in the running cash, as backtrader leaves a margin-rejected bracket's).
// A cancel of a working order is allowed without the chain: it can only take risk off.

import type { AccountView } from '../../domain/portfolio.ts';
import type { RiskDecision, RiskReasonCode } from '../../domain/risk.ts';
import type { Signal } from '../../domain/signal.ts';
import { isPromiseLike, thenMaybe, type MaybePromise } from '../../core/maybe-async.ts';
import type { ExecutionReport } from '../../domain/order.ts';
import type { Stage, StageContext } from '../../kernel/stage-contract.ts';
import { DEFAULT_POLICY_CHAIN, evaluateChain, validatePolicyChain } from './chain.ts';
import { isReversal } from './policies/position-mapping.ts';
import type { OrderRequest, OrderTerms } from '../../domain/order.ts';
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
export function brokerWorkingSymbols(broker: { fetchOpenOrders?(): MaybePromise<ExecutionReport[]> }): () => MaybePromise<Iterable<string>> {
  return () => (broker.fetchOpenOrders ? thenMaybe(broker.fetchOpenOrders(), (orders) => orders.map((o) => o.symbol)) : []);
}

/**
 * The default RISK engine: one decision per signal from the policy chain (default DEFAULT_POLICY_CHAIN), against the broker's account; denials are data with reason codes.
 */
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
    this.policies = opts.policies ? validatePolicyChain(opts.policies) : DEFAULT_POLICY_CHAIN;
  }

  // Plain calls that go async only where the broker does, not a generator stepped by
  // runMaybeAsync: RISK runs every cycle, and each step of that allocates.
  run(ctx: StageContext): MaybePromise<RiskDecision[]> {
    const account = this.opts.account();
    // A closure only for an async broker: a synchronous one answers every cycle of a backtest.
    return isPromiseLike(account) ? account.then((a) => this.withAccount(ctx, a)) : this.withAccount(ctx, account);
  }

  summarize(out: RiskDecision[]): Record<string, unknown> {
    const reasons: Partial<Record<RiskReasonCode, number>> = {};
    let allowed = 0;
    for (const d of out) {
      if (d.allowed) allowed++;
      for (const r of d.reasons) reasons[r] = (reasons[r] ?? 0) + 1;
    }
    return { signals: out.length, allowed, denied: out.length - allowed, reasons };
  }

  /** Peak equity seen so far (for reports and tests). */
  get peakEquity(): number {
    return this.peak;
  }

  private withAccount(ctx: StageContext, account: AccountView): MaybePromise<RiskDecision[]> {
    const signals = ctx.data.SIG ?? NO_SIGNALS;
    const working = this.opts.workingSymbols;
    // Working orders matter only to decisions: a cycle without signals does not ask for them.
    if (working === undefined || signals.length === 0) return this.decideAll(ctx, account, signals, NO_SYMBOLS);
    return thenMaybe(working(), (symbols) => this.decideAll(ctx, account, signals, symbols));
  }

  /** Marks and peak equity, then a decision per signal, recorded. */
  private decideAll(ctx: StageContext, account: AccountView, signals: readonly Signal[], workingSymbols: Iterable<string>): MaybePromise<RiskDecision[]> {
    const ing = ctx.data.ING;
    if (ing) for (const b of ing.bars) this.marks.set(b.symbol, b.close);
    let equity = account.cash;
    // By key, not by [symbol, qty] entry: a destructured Map entry is an array per position per cycle.
    for (const symbol of account.positions.keys()) {
      const mark = this.marks.get(symbol);
      if (mark !== undefined) equity += account.positions.get(symbol)! * mark;
    }
    if (equity > this.peak) this.peak = equity;

    const decisions = signals.length === 0 ? [] : this.decide(ctx, account, equity, signals, new Set(workingSymbols));
    const recorded = this.opts.sink?.record(ctx.correlationId, decisions);
    return isPromiseLike(recorded) ? recorded.then(() => decisions) : decisions;
  }

  private decide(ctx: StageContext, account: AccountView, equity: number, signals: readonly Signal[], working: Set<string>): RiskDecision[] {
    const killActive = ctx.kill.isActive();
    const stale = ctx.data.ING?.stale;
    const run: DecisionRun = { runningCash: account.cash, decisions: [] };
    for (const signal of signals) {
      if (signal.cancel !== undefined) {
        run.decisions.push({ signalId: signal.signalId, symbol: signal.symbol, ts: signal.ts, allowed: true, reasons: ['RISK.OK'], policyVersion: this.policyVersion, cancel: signal.cancel });
        continue;
      }
      const held = account.positions.get(signal.symbol) ?? 0;
      const reversal = signal.order === undefined && isReversal(signal.direction, held);
      const wasWorking = working.has(signal.symbol);
      const close = this.decideOne(ctx.cycleTime, killActive, stale, account, equity, working, signal, run);
      if (signal.order?.bracket !== undefined && close.allowed && close.order) {
        this.decideBracket(ctx.cycleTime, killActive, stale, account, equity, working, signal, close, run);
      } else if (signal.order?.bracket !== undefined && close.order && close.reasons.includes('RISK.CASH.INSUFFICIENT')) {
        run.decisions.push(...this.childrenOfRejected(signal, close));
        continue;
      }
      if (!reversal || !close.allowed) continue;
      // The opening order: the symbol is flat once the close fills, and its close is not a
      // working order the opening one must wait for.
      if (!wasWorking) working.delete(signal.symbol);
      const flat = new Map(account.positions);
      flat.delete(signal.symbol);
      const open: Signal = { ...signal, signalId: `${signal.signalId}/open` };
      this.decideOne(ctx.cycleTime, killActive, stale, { cash: account.cash, positions: flat }, equity, working, open, run);
    }
    return run.decisions;
  }

  /**
   * The children of an entry the cash check rejected, rejected with it: backtrader's
   * buy_bracket submits all three, and when its parent fails the cash check (Margin) the two
   * children are Rejected, three orders in its counts (EXEC reports them as rejected orders).
   */
  private childrenOfRejected(signal: Signal, entry: RiskDecision): RiskDecision[] {
    const { side, qty } = entry.order!;
    const b = signal.order!.bracket!;
    const exit = side === 'buy' ? 'sell' : 'buy';
    const legs: [string, number | undefined, OrderTerms['orderType']][] = [['sl', b.stopLoss, 'stop'], ['tp', b.takeProfit, 'limit']];
    return legs.flatMap(([leg, price, orderType]) =>
      price === undefined
        ? []
        : [{
            signalId: `${signal.signalId}/${leg}`, symbol: signal.symbol, ts: entry.ts, allowed: false, reasons: ['RISK.BRACKET.PARENT_REJECTED'], policyVersion: this.policyVersion, parentSignalId: signal.signalId,
            order: { side: exit, qty, referencePrice: price, terms: orderType === 'stop' ? { orderType, stopPrice: price } : { orderType, limitPrice: price } },
          } satisfies RiskDecision],
    );
  }

  /** A bracket's children against the position its entry leaves; a denied child denies the entry. */
  private decideBracket(
    nowMs: number,
    killActive: boolean,
    stale: { reason: string; lagMs: number } | undefined,
    account: AccountView,
    equity: number,
    working: Set<string>,
    signal: Signal,
    entry: RiskDecision,
    run: DecisionRun,
  ): void {
    const { side, qty } = entry.order!;
    const b = signal.order!.bracket!;
    const after = new Map(account.positions);
    after.set(signal.symbol, (account.positions.get(signal.symbol) ?? 0) + (side === 'buy' ? qty : -qty));
    const exit = side === 'buy' ? 'sell' : 'buy';
    const tif = signal.order!.timeInForce;
    const children: [string, OrderRequest][] = [];
    if (b.stopLoss !== undefined) children.push(['sl', { side: exit, type: 'stop', stopPrice: b.stopLoss, qty, ...(tif ? { timeInForce: tif } : {}) }]);
    if (b.takeProfit !== undefined) children.push(['tp', { side: exit, type: 'limit', limitPrice: b.takeProfit, qty, ...(tif ? { timeInForce: tif } : {}) }]);
    for (const [leg, order] of children) {
      const child: Signal = { ...signal, signalId: `${signal.signalId}/${leg}`, direction: exit === 'buy' ? 'LONG' : 'SHORT', order };
      delete child.ocoLeader; // the entry's OCO group is not its children's
      const d = this.decideOne(nowMs, killActive, stale, { cash: account.cash, positions: after }, equity, working, child, run);
      d.parentSignalId = signal.signalId;
      if (!d.allowed) {
        entry.allowed = false;
        entry.reasons = ['RISK.BRACKET.CHILD_DENIED'];
        (entry.adjustments ??= []).push(`bracket ${leg} denied: ${d.reasons.join(', ')}`);
        for (const sibling of run.decisions) {
          if (sibling === d || sibling.parentSignalId !== signal.signalId) continue;
          sibling.allowed = false;
          sibling.reasons = ['RISK.BRACKET.CHILD_DENIED'];
        }
        return;
      }
    }
  }

  private decideOne(
    nowMs: number,
    killActive: boolean,
    stale: { reason: string; lagMs: number } | undefined,
    account: AccountView,
    equity: number,
    working: Set<string>,
    signal: Signal,
    run: DecisionRun,
  ): RiskDecision {
    const out = evaluateChain(this.policies, signal, {
      config: this.config,
      nowMs,
      killActive,
      stale,
      account,
      prices: this.marks,
      equity,
      peakEquity: this.peak,
      workingSymbols: working,
      runningCash: run.runningCash,
    });
    if (out.order) {
      // Allowed and cash-rejected orders both went through the pseudo-execution; like
      // backtrader, a rejected buy leaves its (negative) result in the running cash.
      run.runningCash = pseudoExecuteCash(run.runningCash, out.order, this.config.commission);
      working.add(signal.symbol);
    }
    const d: RiskDecision = { signalId: signal.signalId, symbol: signal.symbol, ts: signal.ts, allowed: out.allowed, reasons: out.reasons, policyVersion: this.policyVersion };
    if (signal.ocoLeader !== undefined) d.ocoSignalId = signal.ocoLeader;
    if (out.order) {
      d.order = { side: out.order.side, qty: out.order.qty, referencePrice: out.order.referencePrice };
      if (out.order.terms !== undefined) d.order.terms = { ...out.order.terms };
    }
    if (out.notes.length > 0) d.adjustments = out.notes;
    run.decisions.push(d);
    return d;
  }
}

/** What the decisions of one cycle carry from one to the next. */
interface DecisionRun {
  /** The submission cash check's running cash. */
  runningCash: number;
  decisions: RiskDecision[];
}

const NO_SIGNALS: readonly Signal[] = [];
const NO_SYMBOLS: readonly string[] = [];
