// EXEC: turns RISK's allowed decisions into orders and captures the broker's answers.
//
//   capture  every open order in the store → fetchOrder → resolved ones (filled, rejected,
//            canceled) are recorded and handed to PORT in `resolved`
//   submit   for each allowed decision: kill switch (enforcement point #3) → governance
//            preflight → persist the intent under a deterministic idempotency key →
//            (unknown outcome? query the broker first) → the durable kill check and the
//            submit under the store's write lock (SubmissionGate; an intent the check
//            refuses is closed unsent) → persist the answer → audit record (exec.submit)
//            A bracket is decided as one: its children are prepared with its entry (one of
//            them refused refuses the entry) and their intents written before the entry is
//            sent, so a crash between the entry's submission and theirs leaves them on file
//            for recovery to send (unsent-bracket-child.ts).
//
// Running EXEC twice for one cycle derives the same keys, finds the intents on file and
// never places an order twice. Reports captured by an attempt that then failed are carried
// into the next attempt's output, so a retry does not lose fills.

import type { ExecRefusal, ExecutionBatch, ExecutionReport, OrderIntent, RiskRejectedOrder, TimeInForce } from '../../domain/order.ts';
import type { RiskDecision } from '../../domain/risk.ts';
import { GOV_ACTION, type AuditInput, type GovDecision, type Governance } from '../../governance/contract.ts';
import { OrdinisError } from '../../errors.ts';
import type { KillSwitchGuard, Stage, StageContext } from '../../kernel/stage-contract.ts';
import { runMaybeAsync, type MaybePromise } from '../../core/maybe-async.ts';
import type { BrokerAdapter } from './broker-adapter.ts';
import { FINAL_ORDER_STATUSES, type InsertIntentResult, type OrderRecord, type OrderStore } from './order-store.ts';
import { clientOrderIdFor, idempotencyKeyFor, intentDifference } from './order-ids.ts';
import { unsentChildAction } from './unsent-bracket-child.ts';
import type { SubmissionGate } from './submission-gate.ts';

export interface ExecStageOptions {
  /** The venue, usually a GuardedBroker around the real adapter. */
  broker: BrokerAdapter;
  orderStore: OrderStore;
  governance: Governance;
  /** Kill-switch guard for enforcement point #3. Default: the cycle context's `kill`. */
  kill?: KillSwitchGuard;
  /**
   * The durable kill check at each submission (paper and live: the stored state another
   * process may have changed). Without it only `kill` is asked (a backtest).
   */
  gate?: SubmissionGate;
  /** Actor recorded on preflight and audit records. Default 'ordinis'. */
  actor?: string;
  /** Component id for governance. Default 'exec'. */
  componentId?: string;
  /** Default 'gtc': a market order rests until the next bar of its symbol. */
  timeInForce?: TimeInForce;
  /**
   * On the first run, re-emit (in `recovered`) the reports of every stored order that has
   * fills, so PORT can post any fill a crash left unposted (PORT ignores fills it already
   * has). Default true.
   */
  recoverFillsOnStart?: boolean;
  /**
   * Whether the ledger already holds a fill (LedgerStore.hasFill). With it, a report's fills
   * are handed to PORT again every cycle until they are posted, so a PORT failure cannot
   * lose a fill.
   */
  isFillPosted?: (fillId: string) => boolean;
}

/**
 * The default EXEC engine: turns RISK's allowed decisions into order intents (idempotency-keyed, stored before they are sent), submits them, and captures the broker's reports and fills.
 */
export class ExecStage implements Stage<'EXEC'> {
  readonly name = 'EXEC' as const;
  private readonly actor: string;
  private readonly componentId: string;
  private readonly tif: TimeInForce;
  private firstRun = true;
  /** Reports captured by attempts that did not complete; delivered by the next successful run. */
  private undelivered: ExecutionReport[] = [];

  constructor(private readonly opts: ExecStageOptions) {
    this.actor = opts.actor ?? 'ordinis';
    this.componentId = opts.componentId ?? 'exec';
    this.tif = opts.timeInForce ?? 'gtc';
  }

  run(ctx: StageContext): MaybePromise<ExecutionBatch> {
    const open = this.opts.orderStore.listOpen();
    // Most cycles of a backtest give EXEC nothing to do: no order open, none to send, no
    // report to hand over again. They skip the submit flow, a generator stepped per cycle.
    if (open.length === 0 && !this.firstRun && this.undelivered.length === 0 && !anyOrder(ctx.data.RISK)) {
      return { submitted: [], resolved: [], working: [], riskRejected: [], refused: [], recovered: [] };
    }
    return runMaybeAsync(this.flow(ctx, open));
  }

  summarize(out: ExecutionBatch): Record<string, unknown> {
    let filled = 0;
    let rejected = 0;
    for (const r of out.resolved) {
      if (r.status === 'filled') filled++;
      else if (r.status === 'rejected') rejected++;
    }
    return {
      submitted: out.submitted.length,
      resolved: out.resolved.length,
      filled,
      rejected: rejected + out.riskRejected.length,
      working: out.working.length,
      riskRejected: out.riskRejected.length,
      refused: out.refused.length,
    };
  }

  private *flow(ctx: StageContext, open: readonly OrderRecord[]): Generator<unknown, ExecutionBatch, unknown> {
    const { broker, orderStore: store, governance: gov } = this.opts;
    const out: Delivered = { reports: [], keys: new Set() };
    const resolved = out.reports;
    // Reports whose fills the ledger still lacks (an attempt that did not complete, or a
    // PORT that failed after this stage succeeded) are handed over again; PORT posts each
    // fill once.
    const posted = this.opts.isFillPosted;
    const again = posted ? this.undelivered.filter((r) => r.fills.some((f) => !posted(f.fillId))) : this.undelivered;
    this.undelivered = [];
    for (const r of again) this.deliver(out, r, true);

    const recovered: ExecutionReport[] = [];
    if (this.firstRun && this.opts.recoverFillsOnStart !== false) {
      for (const rec of store.listAll()) if (rec.lastReport && rec.lastReport.fills.length > 0) recovered.push(rec.lastReport);
    }

    const kill = this.opts.kill ?? ctx.kill;
    // (a) capture answers for orders sent in earlier cycles.
    const working: string[] = [];
    for (const rec of open) {
      const id = rec.intent.clientOrderId;
      // An unanswered intent of this very cycle (a retried attempt) is settled by the submit step.
      if (rec.status === 'pending' && rec.intent.correlationId === ctx.correlationId) continue;
      const rep = (yield broker.fetchOrder(id)) as ExecutionReport | undefined;
      if (rep === undefined) {
        if (rec.status === 'pending' && rec.intent.parentId !== undefined) {
          // A bracket child written with its entry, whose own submission never happened (the
          // attempt failed between the two): the entry's position needs it (unsent-bracket-child.ts).
          const child = yield* this.sendUnsentChild(rec, rec.intent.parentId, kill, ctx.cycleTime);
          if (FINAL_ORDER_STATUSES.has(child.status)) this.deliver(out, child, true);
          else working.push(id);
        } else if (rec.status === 'pending') {
          // Persisted in an earlier cycle but never reached the broker: closing it is safe,
          // sending it now would trade on a decision made on old data.
          const closed = syntheticReport(rec.intent, 'canceled', 'never acknowledged by the broker; not resent in a later cycle', ctx.cycleTime);
          store.recordReport(id, closed);
          this.deliver(out, closed, true);
        } else {
          // The broker forgot an order it had acknowledged: keep it working (and visible).
          working.push(id);
        }
        continue;
      }
      const prev = rec.lastReport;
      const changed = !prev || prev.status !== rep.status || prev.filledQty !== rep.filledQty || prev.fills.length !== rep.fills.length;
      if (changed) store.recordReport(id, rep);
      if (FINAL_ORDER_STATUSES.has(rep.status)) this.deliver(out, rep, true);
      else {
        working.push(id);
        if (changed && rep.fills.length > 0) this.deliver(out, rep, true);
      }
    }

    // (b) submit this cycle's allowed decisions.
    const gate = this.opts.gate;
    const submitted: ExecutionBatch['submitted'] = [];
    const riskRejected: RiskRejectedOrder[] = [];
    const refused: ExecRefusal[] = [];
    /** This cycle's intents by decision: a bracket child names its entry's client order id. */
    const sentFor = new Map<string, string>();
    const decisions = ctx.data.RISK ?? [];
    const childrenOf = bracketChildren(decisions);
    /** Bracket children prepared (or refused) with their entry, by signal id. */
    const early = new Map<string, PreparedOrder | { refusal: ExecRefusal }>();
    /** Client order ids of the children this run wrote with their entry. */
    const writtenEarly = new Set<string>();
    for (const d of decisions) {
      if (d.cancel !== undefined && d.allowed) {
        yield* this.cancelWorking(d.cancel, d.signalId, d.symbol, open, out, refused);
        continue;
      }
      if (!d.order) continue;
      if (!d.allowed) {
        // Orders in backtrader's sense that its broker rejects: the cash check's, and a rejected
        // bracket entry's children (see RiskStage.childrenOfRejected).
        const reason = d.reasons.find((r) => r === 'RISK.CASH.INSUFFICIENT' || r === 'RISK.BRACKET.PARENT_REJECTED');
        if (reason !== undefined) {
          riskRejected.push({ signalId: d.signalId, symbol: d.symbol, side: d.order.side, qty: d.order.qty, referencePrice: d.order.referencePrice, reason, ts: d.ts });
        }
        continue;
      }
      // Cut at its budget: stop before the next order rather than keep talking to the broker
      // after the cycle has been recorded (the engine waits for this attempt to settle).
      if (ctx.aborted) {
        throw new OrdinisError('E_ORCH_TIMEOUT', `EXEC stopped at its budget before ${d.symbol}; the remaining orders were not submitted`);
      }
      const prep = early.get(d.signalId) ?? this.prepare(ctx, d, kill);
      early.delete(d.signalId);
      if ('refusal' in prep) {
        refused.push(prep.refusal);
        continue;
      }
      const { intent, pre } = prep;
      const idempotencyKey = intent.idempotencyKey;
      if (d.parentSignalId !== undefined) {
        const parentId = sentFor.get(d.parentSignalId);
        if (parentId === undefined || (intent.parentId !== undefined && intent.parentId !== parentId)) {
          // Its intent may be on file (written with its entry's): closed unsent with it.
          const onFile = store.findByClientOrderId(intent.clientOrderId);
          if (onFile?.status === 'pending') store.recordReport(intent.clientOrderId, syntheticReport(intent, 'canceled', `bracket entry of ${d.parentSignalId} was not sent`, ctx.cycleTime));
          refused.push({ signalId: d.signalId, symbol: d.symbol, code: 'E_EXEC_ORDER_UNKNOWN', reason: `bracket child of ${d.parentSignalId}, whose entry was not sent` });
          continue;
        }
        intent.parentId = parentId;
      }
      if (d.ocoSignalId !== undefined) {
        const leaderId = sentFor.get(d.ocoSignalId);
        if (leaderId === undefined) {
          refused.push({ signalId: d.signalId, symbol: d.symbol, code: 'E_EXEC_ORDER_UNKNOWN', reason: `OCO member of ${d.ocoSignalId}, whose first order was not sent` });
          continue;
        }
        intent.ocoWith = leaderId;
      }
      // A bracket's children are decided with it and written with it, before its entry is
      // sent: a crash between the entry's submission and theirs then leaves them pending on
      // file, and start-up recovery sends them once it has found the entry at the broker
      // (modes/recovery/). Written after the entry, they were lost with the process and the
      // entry worked unprotected. A child refused here (kill, governance) refuses the bracket.
      const kids = childrenOf?.get(d.signalId);
      let kidPreps: PreparedOrder[] = [];
      if (kids !== undefined) {
        const preps = kids.map((c) => this.prepare(ctx, c, kill));
        const bad = preps.find((c): c is { refusal: ExecRefusal } => 'refusal' in c);
        if (bad !== undefined) {
          refused.push({ ...bad.refusal, signalId: d.signalId, reason: `bracket child ${bad.refusal.signalId} refused (${bad.refusal.reason}): the entry is not sent without it` });
          for (const c of kids) early.set(c.signalId, { refusal: { signalId: c.signalId, symbol: c.symbol, code: bad.refusal.code, reason: `bracket ${d.signalId} refused: ${bad.refusal.reason}` } });
          continue;
        }
        kidPreps = preps as PreparedOrder[];
      }
      const id = intent.clientOrderId;
      const ins = writtenEarly.delete(id) ? { inserted: true, record: store.findByClientOrderId(id)! } : this.writeIntent(intent);
      kids?.forEach((c, i) => {
        const child = kidPreps[i]!;
        child.intent.parentId = id;
        // Written in this run: the child's turn below sends it without asking the broker first.
        if (this.writeIntent(child.intent).inserted) writtenEarly.add(child.intent.clientOrderId);
        early.set(c.signalId, child);
      });

      let report = ins.record.lastReport;
      if (ins.record.status === 'pending' || report === null) {
        // Unknown outcome for an intent already on file: ask the broker before sending.
        const known = ins.inserted ? undefined : ((yield broker.fetchOrder(id)) as ExecutionReport | undefined);
        if (!known && ctx.aborted) {
          throw new OrdinisError('E_ORCH_TIMEOUT', `EXEC stopped at its budget before submitting ${id}; the intent stays pending for recovery`);
        }
        if (known) report = known;
        else {
          // The last check, ordered against an activation's commit (see SubmissionGate).
          const sent = gate ? gate.send(() => broker.submit(intent)) : broker.submit(intent);
          if (sent === undefined) {
            store.recordReport(id, syntheticReport(intent, 'canceled', KILLED_BEFORE_SUBMIT, ctx.cycleTime));
            refused.push({ signalId: d.signalId, symbol: d.symbol, code: 'E_KILL_ACTIVE', reason: KILLED_BEFORE_SUBMIT });
            continue;
          }
          report = (yield sent) as ExecutionReport;
        }
        store.recordReport(id, report);
      }

      if (ins.record.auditRef === null) {
        const submission: AuditInput = {
          kind: 'exec.submit',
          componentId: this.componentId,
          action: GOV_ACTION.orderSubmit,
          actor: this.actor,
          correlationId: ctx.correlationId,
          decision: report.status,
          subjectRef: id,
          payload: {
            idempotencyKey,
            brokerOrderId: report.orderId,
            signalId: d.signalId,
            symbol: intent.symbol,
            side: intent.side,
            qty: intent.qty,
            orderType: intent.orderType,
            status: report.status,
            riskPolicyVersion: d.policyVersion,
            govPolicyVersion: pre.policyVersion,
            preflightAuditRef: pre.auditRef,
          },
        };
        // The record and the order's ref to it commit together: a crash between two commits
        // left a record recovery could not see from the order, and it audited the order again.
        store.attachAuditRecord(id, () => gov.audit(submission));
      }

      submitted.push({ intent, report });
      sentFor.set(d.signalId, id);
      if (FINAL_ORDER_STATUSES.has(report.status)) this.deliver(out, report, true);
      else if (!working.includes(id)) working.push(id);
    }

    if (refused.some((r) => r.code === 'E_KILL_ACTIVE')) {
      gov.audit({
        kind: 'exec.blocked',
        componentId: this.componentId,
        action: GOV_ACTION.orderSubmit,
        actor: this.actor,
        correlationId: ctx.correlationId,
        decision: 'deny',
        subjectRef: null,
        payload: { reason: 'kill switch active', signals: refused.filter((r) => r.code === 'E_KILL_ACTIVE').map((r) => r.signalId) },
      });
    }

    // Without a ledger to ask, a completed run is taken as delivered; with one, fills are
    // kept until the ledger shows them posted.
    this.undelivered = posted ? resolved.filter((r) => r.fills.length > 0) : [];
    this.firstRun = false;
    return { submitted, resolved, working, riskRejected, refused, recovered };
  }

  /** A pending bracket child the broker never received: sent (through the kill checks) or closed, as its entry decides. */
  private *sendUnsentChild(rec: OrderRecord, entryId: string, kill: KillSwitchGuard, ts: number): Generator<unknown, ExecutionReport, unknown> {
    const store = this.opts.orderStore;
    const id = rec.intent.clientOrderId;
    const plan = unsentChildAction(entryId, (yield this.opts.broker.fetchOrder(entryId)) as ExecutionReport | undefined);
    let report: ExecutionReport;
    if (plan.action === 'close') report = syntheticReport(rec.intent, 'canceled', plan.reason, ts);
    else {
      const sent = kill.isActive() ? undefined : this.opts.gate ? this.opts.gate.send(() => this.opts.broker.submit(rec.intent)) : this.opts.broker.submit(rec.intent);
      report = sent === undefined ? syntheticReport(rec.intent, 'canceled', KILLED_BEFORE_SUBMIT, ts) : ((yield sent) as ExecutionReport);
    }
    store.recordReport(id, report);
    if (report.orderId !== '' && rec.auditRef === null) {
      const i = rec.intent;
      store.attachAuditRecord(id, () => this.opts.governance.audit({
        kind: 'exec.submit',
        componentId: this.componentId,
        action: GOV_ACTION.orderSubmit,
        actor: this.actor,
        correlationId: i.correlationId,
        decision: report.status,
        subjectRef: id,
        payload: { idempotencyKey: i.idempotencyKey, brokerOrderId: report.orderId, signalId: i.signalId, symbol: i.symbol, side: i.side, qty: i.qty, orderType: i.orderType, status: report.status, bracketChildAfterEntry: i.parentId },
      }));
    }
    return report;
  }

  /**
   * One decision up to its intent: the kill switch (enforcement point #3: checked per order,
   * the switch can flip mid-cycle; the stored state, which another process may have changed,
   * is checked at the submission itself), governance's preflight (a patch may narrow the
   * quantity, never widen it), then the intent under its deterministic idempotency key.
   */
  private prepare(ctx: StageContext, d: RiskDecision, kill: KillSwitchGuard): PreparedOrder | { refusal: ExecRefusal } {
    const order = d.order!;
    if (kill.isActive()) return { refusal: { signalId: d.signalId, symbol: d.symbol, code: 'E_KILL_ACTIVE', reason: 'kill switch active: order not submitted' } };
    const pre = this.opts.governance.preflight({
      componentId: this.componentId,
      action: GOV_ACTION.orderSubmit,
      actor: this.actor,
      correlationId: ctx.correlationId,
      payload: { signalId: d.signalId, symbol: d.symbol, side: order.side, qty: order.qty, referencePrice: order.referencePrice, riskPolicyVersion: d.policyVersion },
    });
    if (pre.decision === 'deny') return { refusal: { signalId: d.signalId, symbol: d.symbol, code: 'E_GOV_DENIED', reason: pre.reasons.join('; ') || 'denied by governance' } };
    let qty = order.qty;
    if (pre.decision === 'modify' && pre.patch && typeof pre.patch.qty === 'number' && Number.isFinite(pre.patch.qty) && pre.patch.qty < qty) qty = pre.patch.qty;
    if (!(qty > 0)) return { refusal: { signalId: d.signalId, symbol: d.symbol, code: 'E_GOV_DENIED', reason: `governance narrowed the order to ${qty}` } };

    const terms = order.terms;
    const idempotencyKey = idempotencyKeyFor({ correlationId: ctx.correlationId, signalId: d.signalId, symbol: d.symbol, side: order.side, qty, ...(terms ? { terms } : {}) });
    const intent: OrderIntent = {
      clientOrderId: clientOrderIdFor(idempotencyKey),
      idempotencyKey,
      correlationId: ctx.correlationId,
      signalId: d.signalId,
      symbol: d.symbol,
      side: order.side,
      qty,
      orderType: terms?.orderType ?? 'market',
      timeInForce: terms?.timeInForce ?? this.tif,
      ts: d.ts,
    };
    if (terms?.limitPrice !== undefined) intent.limitPrice = terms.limitPrice;
    if (terms?.stopPrice !== undefined) intent.stopPrice = terms.stopPrice;
    if (terms?.trailAmount !== undefined) intent.trailAmount = terms.trailAmount;
    if (terms?.trailPercent !== undefined) intent.trailPercent = terms.trailPercent;
    if (terms?.ocoWith !== undefined) intent.ocoWith = terms.ocoWith;
    return { intent, pre };
  }

  /** Persists an intent; one already on file under its key must be the same order (E_EXEC_IDEMPOTENCY_CONFLICT). */
  private writeIntent(intent: OrderIntent): InsertIntentResult {
    const ins = this.opts.orderStore.insertIntent(intent);
    if (!ins.inserted) {
      const diff = intentDifference(ins.record.intent, intent);
      if (diff !== null) {
        const id = intent.clientOrderId;
        throw new OrdinisError('E_EXEC_IDEMPOTENCY_CONFLICT', `order ${id}: ${diff}`, { details: { clientOrderId: id, idempotencyKey: intent.idempotencyKey } });
      }
    }
    return ins;
  }

  /**
   * A strategy's cancel: only an order on file and still open is canceled (anything else is
   * refused, E_EXEC_ORDER_UNKNOWN); the broker's answer is recorded and, once final, handed to
   * PORT like any other (a fill that beat the cancel included).
   */
  private *cancelWorking(id: string, signalId: string, symbol: string, open: readonly OrderRecord[], out: Delivered, refused: ExecRefusal[]): Generator<unknown, void, unknown> {
    const rec = open.find((r) => r.intent.clientOrderId === id);
    if (rec === undefined || rec.intent.symbol !== symbol) {
      refused.push({ signalId, symbol, code: 'E_EXEC_ORDER_UNKNOWN', reason: `cancel: no open order ${id} for ${symbol}` });
      return;
    }
    const report = (yield this.opts.broker.cancel(id)) as ExecutionReport;
    this.opts.orderStore.recordReport(id, report);
    if (FINAL_ORDER_STATUSES.has(report.status)) this.deliver(out, report, true);
  }

  /** Hands a report to PORT once per (order, status, filled qty); a fresh one is kept until a run completes. */
  private deliver(out: Delivered, r: ExecutionReport, fresh: boolean): void {
    const k = `${r.clientOrderId}|${r.status}|${r.filledQty}`;
    if (out.keys.has(k)) return;
    out.keys.add(k);
    out.reports.push(r);
    if (fresh) this.undelivered.push(r);
  }
}

/** Why an intent already on file was closed unsent: the durable check at submission found the switch active. */
export const KILLED_BEFORE_SUBMIT = 'kill switch active at submission: order not sent';

/** Whether any decision carries an order (allowed, or rejected by the cash check: both are EXEC's). */
function anyOrder(decisions: readonly RiskDecision[] | undefined): boolean {
  if (decisions !== undefined) for (const d of decisions) if (d.order || d.cancel !== undefined) return true;
  return false;
}

/** A decision turned into its intent, with the preflight that allowed it. */
interface PreparedOrder {
  intent: OrderIntent;
  pre: GovDecision;
}

/** A batch's bracket children by their entry's signal id, in RISK's order; undefined when it has none (most batches). */
function bracketChildren(decisions: readonly RiskDecision[]): Map<string, RiskDecision[]> | undefined {
  let out: Map<string, RiskDecision[]> | undefined;
  for (const d of decisions) {
    if (d.parentSignalId === undefined || !d.allowed || !d.order) continue;
    out ??= new Map();
    const list = out.get(d.parentSignalId);
    if (list) list.push(d);
    else out.set(d.parentSignalId, [d]);
  }
  return out;
}

/** The reports one run hands to PORT, and their dedup keys. */
interface Delivered {
  reports: ExecutionReport[];
  keys: Set<string>;
}

function syntheticReport(intent: OrderIntent, status: 'canceled' | 'rejected', reason: string, ts: number): ExecutionReport {
  return {
    orderId: '',
    clientOrderId: intent.clientOrderId,
    symbol: intent.symbol,
    side: intent.side,
    status,
    qty: intent.qty,
    filledQty: 0,
    fills: [],
    fees: 0,
    slippage: 0,
    rejectReason: reason,
    ts,
  };
}
