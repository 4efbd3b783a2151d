// Crash-only start-up: every start runs this before the first cycle, so a crash and a
// restart take the same path as a clean start. The steps, in order:
//
//   1 audit_chain     verify the hash chain end to end; broken -> refuse
//   2 kill_switch     report the restored kill state (the KillSwitch read it from its store;
//                     unreadable with KILL_FAIL_SAFE, as prod requires, means ACTIVE)
//   3 abort_runs      runs left 'running' whose owner is gone -> 'aborted', with a reason,
//                     all in one transaction. Every run row names its owner (pid, start time, host): gone = on this
//                     host, no live process has that pid or it started at another time (the
//                     pid was reused). A run whose owner is alive (a backtest in another
//                     process) is left running; so is one owned on another host, which
//                     cannot be checked from here (a warning says so). A row without an owner
//                     was written before schema v6, by a version that had no owner to record:
//                     recovery runs under the database's single-owner lease and a process of
//                     this version records its owner, so such a row is taken as abandoned (if
//                     an old process was still at work it overwrites the status when it
//                     finishes).
//   4 pending_orders  intents persisted without a broker answer are resolved by asking the
//                     broker (fetchOrder by client order id): its answer is recorded if it
//                     knows the order; if not, the intent is closed as not received
//                     ('canceled', with the reason). Nothing is ever resent from here.
//                     One exception, never a resend: a bracket child the broker never
//                     received whose entry it has (EXEC writes a bracket's children with its
//                     entry, before sending it; the process stopped between the entry's
//                     submission and theirs). It is sent now, once, so the entry's position
//                     is protected (stages/exec/unsent-bracket-child.ts says when and why);
//                     with the kill switch ACTIVE, which forbids new orders, the entry is
//                     canceled at the broker instead and the bracket reported in a warning.
//                     Orders the broker knows but that have no exec.submit audit record (the
//                     crash came before it) get one, marked recovered; one found on file for
//                     an order that does not point at it is adopted, never written twice.
//   5 open_orders     orders that were working when we went down: the broker's current
//                     report is recorded (they may have filled meanwhile); an acknowledged
//                     order the broker no longer knows -> refuse
//   6 ledger          replay the ledger; check it against its stored positions and against
//                     the broker account once the broker's fills the ledger lacks are added;
//                     any difference -> refuse. Then post those missing fills (no fill lost;
//                     PORT skips fills already posted, so nothing is posted twice).
//   7 audit_record    one `ops.recovery` audit record of what was found and done
//
// A step that fails makes the report not ok; the runtime then refuses to trade
// (E_RECOVERY_FAILED with the reasons) and keeps only the ops API up (/readyz 503 with the
// reasons). Once the audit chain or a precondition has failed, the steps that would change
// our books (4-7) are skipped: nothing is written on top of records we cannot trust.
//
// Each step is a function of its own below, run in order from STEPS; the table also says
// what a step needs from the earlier ones and which failures skip the rest.

import { OrdinisError, toOrdinisError } from '../../errors.ts';
import { ownerState, systemProcessTable, type OwnerState, type ProcessIdentity, type ProcessTable } from '../../core/process-identity.ts';
import type { RunRow } from '../../kernel/run-store.ts';
import type { Clock } from '../../core/clock.ts';
import { toRfc3339 } from '../../core/clock.ts';
import type { AuditRecord, ChainVerification } from '../../governance/audit-chain.ts';
import { GOV_ACTION, type Governance } from '../../governance/contract.ts';
import type { KillSwitch } from '../../kill-switch/kill-switch.ts';
import type { ExecutionReport, Fill } from '../../domain/order.ts';
import type { BrokerAdapter } from '../../stages/exec/broker-adapter.ts';
import { FINAL_ORDER_STATUSES, type OrderRecord, type OrderRecordStatus, type OrderStore } from '../../stages/exec/order-store.ts';
import { unsentChildAction } from '../../stages/exec/unsent-bracket-child.ts';
import type { LedgerStore } from '../../stages/port/ledger-store.ts';
import { FLAT, type BookPosition } from '../../domain/average-cost.ts';
import { openingCashEntry, postFill, replayLedger, toPosition } from '../../stages/port/ledger.ts';

export const RECOVERY_STEPS = ['preconditions', 'audit_chain', 'kill_switch', 'abort_runs', 'pending_orders', 'open_orders', 'ledger', 'audit_record'] as const;
export type RecoveryStepName = (typeof RECOVERY_STEPS)[number];

export interface RecoveryStep {
  step: RecoveryStepName;
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
}

export interface PendingResolution {
  clientOrderId: string;
  correlationId: string;
  symbol: string;
  side: string;
  qty: number;
  /**
   * answered: the broker knew the order and its report was recorded; not_received: closed as
   * 'canceled'; sent: a bracket child the broker never received, sent now because it has the entry.
   */
  outcome: 'answered' | 'not_received' | 'sent';
  status: OrderRecordStatus;
  brokerOrderId: string | null;
}

export interface RunLeftRunning {
  runId: string;
  kind: RunRow['kind'];
  owner: ProcessIdentity | null;
  ownerState: Extract<OwnerState, 'alive' | 'other_host'>;
}

export interface LedgerCheck {
  entries: number;
  /** Cash and positions replayed from the ledger, before any missing fill was posted. */
  cash: number;
  positions: Record<string, number>;
  brokerCash: number;
  brokerPositions: Record<string, number>;
  /** Broker fills the ledger lacked (fill ids), in posting order. */
  missingFills: string[];
  /** Posted by recovery (equal to missingFills when the check passed). */
  postedFills: string[];
  openingCashPosted: boolean;
}

export interface RecoveryReport {
  ok: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Why recovery failed (empty when ok): what an operator must look at. */
  reasons: string[];
  /** Things worth knowing that do not stop trading. */
  warnings: string[];
  steps: RecoveryStep[];
  auditChain: ChainVerification | null;
  killSwitch: { state: string; reason: string | null; unreadable: string | null } | null;
  abortedRuns: string[];
  /** Runs found 'running' and left so: their owner is alive, or on another host. */
  runsLeftRunning: RunLeftRunning[];
  pendingOrders: PendingResolution[];
  /** Working orders whose broker report changed while we were down. */
  refreshedOrders: string[];
  /** exec.submit audit records written for orders the broker knew but the audit log did not. */
  auditedOrders: string[];
  /** Orders without an audit ref whose exec.submit record was on file: the ref now points at it. */
  adoptedAuditRecords: string[];
  ledger: LedgerCheck | null;
  auditRef: number | null;
}

export interface RecoveryDeps {
  audit: { verify(): ChainVerification; findBySubject(subjectRefs: readonly string[]): AuditRecord[] };
  kill: KillSwitch;
  runs: { listRunning(): RunRow[]; abortRuns(runIds: readonly string[], reason: string, finishedAt: string): string[] };
  /** Whose runs are still alive. Default: this machine's processes. */
  processes?: ProcessTable;
  orders: OrderStore;
  ledger: LedgerStore;
  /** The broker as the pipeline uses it. */
  broker: BrokerAdapter;
  governance: Governance;
  /** Runs `fn` in one database transaction (fills posted by recovery commit together). */
  transaction: <T>(fn: () => T) => T;
  /** The opening cash of a ledger that has none posted yet. */
  startingCash: number;
  /** Wall clock: timestamps of the report and of what recovery writes. */
  clock: Clock;
  /** Relative tolerance of money comparisons. Default 1e-9. */
  tolerance?: number;
  /** Preconditions found false before recovery (another process owns the database, ...): each refuses. */
  blockers?: readonly string[];
}

export const ABORT_REASON = 'process ended while the run was in progress (found running at start-up recovery)';
export const UNOWNED_ABORT_REASON = 'found running at start-up recovery with no owner recorded (written before schema v6); taken as abandoned';
export const NOT_RECEIVED_REASON = 'not received by the broker: intent found pending at start-up recovery; not resent';

/** One recovery in progress: what the steps read and the report they fill in. */
interface RecoveryRun {
  readonly deps: RecoveryDeps;
  readonly report: RecoveryReport;
  /** The ledger's transaction id of what recovery posts. */
  readonly recoveryId: string;
  /** Relative tolerance of money comparisons. */
  readonly tolerance: number;
}

/** What a step found: one report entry per detail; `stopRest` skips every later step, with that reason. */
interface StepVerdict {
  status: 'ok' | 'failed';
  detail: string | readonly string[];
  stopRest?: string;
}

interface RecoveryStepDef {
  name: RecoveryStepName;
  /** Why this step must not run (it and every later one are skipped, with this reason); undefined: run it. */
  skipUnless?: (run: RecoveryRun) => string | undefined;
  run: (run: RecoveryRun) => StepVerdict | Promise<StepVerdict>;
  /** The failed entry's detail when `run` throws (the error's message follows). */
  whenThrown: string;
  /** When `run` throws: skip every later step with this reason (default: go on). */
  stopWhenThrown?: string;
}

/**
 * The steps, in order (see the top of this file for what each is for). The guards say what
 * a step needs from the earlier ones: nothing is written on top of an audit chain that does
 * not verify, nor once an earlier step has failed.
 */
const STEPS: readonly RecoveryStepDef[] = [
  { name: 'preconditions', run: checkPreconditions, whenThrown: 'preconditions could not be checked' },
  { name: 'audit_chain', run: verifyAuditChain, whenThrown: 'audit chain could not be read' },
  { name: 'kill_switch', run: reportKillSwitch, whenThrown: 'kill switch state could not be read' },
  { name: 'abort_runs', run: abortAbandonedRuns, whenThrown: 'runs left running could not be marked aborted' },
  {
    name: 'pending_orders',
    skipUnless: (r) => (r.report.auditChain?.ok === true ? undefined : 'audit chain not verified: nothing is written on top of it'),
    run: resolvePendingOrders,
    whenThrown: 'pending order intents could not be resolved',
    stopWhenThrown: 'pending order intents unresolved',
  },
  { name: 'open_orders', run: refreshOpenOrders, whenThrown: 'working orders could not be refreshed from the broker' },
  {
    name: 'ledger',
    skipUnless: (r) => (r.report.reasons.length > 0 ? 'an earlier step failed' : undefined),
    run: reconcileLedger,
    whenThrown: 'ledger could not be checked against the broker',
    stopWhenThrown: 'ledger check failed',
  },
  { name: 'audit_record', run: recordRecovery, whenThrown: 'recovery audit record could not be written' },
];

export async function runRecovery(deps: RecoveryDeps): Promise<RecoveryReport> {
  const t0 = deps.clock.now();
  const report: RecoveryReport = {
    ok: false,
    startedAt: toRfc3339(t0),
    finishedAt: '',
    durationMs: 0,
    reasons: [],
    warnings: [],
    steps: [],
    auditChain: null,
    killSwitch: null,
    abortedRuns: [],
    runsLeftRunning: [],
    pendingOrders: [],
    refreshedOrders: [],
    auditedOrders: [],
    adoptedAuditRecords: [],
    ledger: null,
    auditRef: null,
  };
  const run: RecoveryRun = { deps, report, recoveryId: `recovery-${toRfc3339(t0)}`, tolerance: deps.tolerance ?? 1e-9 };
  const note = (step: RecoveryStepName, status: RecoveryStep['status'], detail: string): void => {
    report.steps.push({ step, status, detail });
    if (status === 'failed') report.reasons.push(`${step}: ${detail}`);
  };
  const skipFrom = (i: number, why: string): void => {
    for (const s of STEPS.slice(i)) note(s.name, 'skipped', why);
  };

  for (let i = 0; i < STEPS.length; i++) {
    const step = STEPS[i]!;
    const skip = step.skipUnless?.(run);
    if (skip !== undefined) {
      skipFrom(i, skip);
      break;
    }
    let verdict: StepVerdict;
    try {
      verdict = await step.run(run);
    } catch (e) {
      verdict = { status: 'failed', detail: `${step.whenThrown}: ${toOrdinisError(e).message}`, ...(step.stopWhenThrown ? { stopRest: step.stopWhenThrown } : {}) };
    }
    for (const d of typeof verdict.detail === 'string' ? [verdict.detail] : verdict.detail) note(step.name, verdict.status, d);
    if (verdict.stopRest !== undefined) {
      skipFrom(i + 1, verdict.stopRest);
      break;
    }
  }

  report.ok = report.reasons.length === 0;
  const t1 = deps.clock.now();
  report.finishedAt = toRfc3339(t1);
  report.durationMs = t1 - t0;
  return report;
}

/** 0. Nothing is touched if another process may be trading on this file. */
function checkPreconditions({ deps }: RecoveryRun): StepVerdict {
  const blockers = deps.blockers ?? [];
  if (blockers.length === 0) return { status: 'ok', detail: 'none failed' };
  return { status: 'failed', detail: blockers, stopRest: 'a precondition failed' };
}

/** 1. The audit chain, end to end: the later steps write on top of it only if it verifies. */
function verifyAuditChain({ deps, report }: RecoveryRun): StepVerdict {
  const v = deps.audit.verify();
  report.auditChain = v;
  if (v.ok) return { status: 'ok', detail: `${v.checked} records verified` };
  return { status: 'failed', detail: `audit chain broken at seq ${v.brokenAt}: ${v.reason} (${v.checked} records verified before it); refusing to trade on an audit log that does not verify` };
}

/** 2. The kill state the KillSwitch restored from its store: reported, never changed here. */
function reportKillSwitch({ deps, report }: RecoveryRun): StepVerdict {
  const k = deps.kill.get();
  const unreadable = deps.kill.loadError ? deps.kill.loadError.message : null;
  report.killSwitch = { state: k.state, reason: k.reason, unreadable };
  let detail: string;
  if (unreadable) {
    report.warnings.push(`kill switch state unreadable at start-up (${unreadable}); assumed ${k.state}`);
    detail = `state unreadable (${unreadable}); assumed ${k.state}`;
  } else {
    detail = k.state === 'ACTIVE' ? `restored ACTIVE: ${k.reason ?? 'no reason'} (trading stays blocked until it is deactivated)` : 'restored INACTIVE';
  }
  if (k.state === 'ACTIVE') report.warnings.push(`kill switch ACTIVE: ${k.reason ?? 'no reason'}`);
  return { status: 'ok', detail };
}

/**
 * 3. Runs whose owner is gone (or was never recorded) are closed as aborted, in one
 * transaction: a failure leaves every row as it was, never half of them marked.
 */
function abortAbandonedRuns({ deps, report }: RecoveryRun): StepVerdict {
  const plan = planRunAborts(deps.runs.listRunning(), deps.processes ?? systemProcessTable);
  const finishedAt = toRfc3339(deps.clock.now());
  report.abortedRuns = deps.transaction(() => [...deps.runs.abortRuns(plan.ownerGone, ABORT_REASON, finishedAt), ...deps.runs.abortRuns(plan.unowned, UNOWNED_ABORT_REASON, finishedAt)]);
  report.runsLeftRunning = plan.leftRunning;
  for (const r of plan.leftRunning) if (r.ownerState === 'other_host') report.warnings.push(`run ${r.runId} left running: ${describeLeftRunning(r)}`);
  const aborted = report.abortedRuns.length === 0 ? 'no run was left running by a process that is gone' : `${report.abortedRuns.length} run(s) marked aborted: ${report.abortedRuns.join(', ')}`;
  const left = plan.leftRunning.length === 0 ? '' : `; ${plan.leftRunning.length} left running: ${plan.leftRunning.map((r) => `${r.runId} (${describeLeftRunning(r)})`).join(', ')}`;
  return { status: 'ok', detail: aborted + left };
}

/**
 * 4. Intents persisted without a broker answer: ask the broker, never resend. Then the
 * orders the broker knows whose exec.submit audit record was never written get one; a
 * record on file that the order does not point at (a version that committed the two apart,
 * or a ref update that failed) is adopted, never written a second time.
 */
async function resolvePendingOrders({ deps, report }: RecoveryRun): Promise<StepVerdict> {
  for (const rec of deps.orders.listOpen()) {
    if (rec.status !== 'pending') continue;
    const id = rec.intent.clientOrderId;
    const rep = await deps.broker.fetchOrder(id);
    if (rep !== undefined) {
      deps.orders.recordReport(id, rep);
      report.pendingOrders.push(resolution(rec, 'answered', rep.status, rep.orderId));
    } else if (rec.intent.parentId !== undefined) {
      await completeBracketChild(deps, report, rec, rec.intent.parentId);
    } else {
      deps.orders.recordReport(id, notReceived(rec, deps.clock.now()));
      report.pendingOrders.push(resolution(rec, 'not_received', 'canceled', null));
    }
  }
  const unaudited = deps.orders
    .listAll()
    .flatMap((rec) => (rec.auditRef === null && rec.lastReport !== null && rec.lastReport.orderId !== '' ? [{ rec, lastReport: rec.lastReport }] : []));
  const onFile = submissionRecordsBySubject(deps.audit.findBySubject(unaudited.map(({ rec }) => rec.intent.clientOrderId)));
  for (const { rec, lastReport } of unaudited) {
    const id = rec.intent.clientOrderId;
    const existing = onFile.get(id);
    if (existing !== undefined) {
      deps.orders.setAuditRef(id, existing);
      report.adoptedAuditRecords.push(id);
      continue;
    }
    deps.orders.attachAuditRecord(id, () => deps.governance.audit({
      kind: 'exec.submit',
      componentId: 'exec',
      action: GOV_ACTION.orderSubmit,
      actor: 'orch.recovery',
      correlationId: rec.intent.correlationId,
      decision: lastReport.status,
      subjectRef: id,
      payload: {
        recovered: true,
        idempotencyKey: rec.intent.idempotencyKey,
        brokerOrderId: lastReport.orderId,
        signalId: rec.intent.signalId,
        symbol: rec.intent.symbol,
        side: rec.intent.side,
        qty: rec.intent.qty,
        orderType: rec.intent.orderType,
        status: lastReport.status,
        govPolicyVersion: deps.governance.policyVersion,
      },
    }));
    report.auditedOrders.push(id);
  }
  const answered = report.pendingOrders.filter((p) => p.outcome === 'answered').length;
  const sent = report.pendingOrders.filter((p) => p.outcome === 'sent').length;
  const lost = report.pendingOrders.length - answered - sent;
  return {
    status: 'ok',
    detail:
      report.pendingOrders.length === 0
        ? 'no order intent was waiting for a broker answer'
        : `${report.pendingOrders.length} pending intent(s): ${answered} known to the broker (answer recorded), ${lost} not received (closed as canceled, not resent)` +
          (sent > 0 ? `; ${sent} bracket child(ren) sent after their entry` : '') +
          (report.auditedOrders.length > 0 ? `; ${report.auditedOrders.length} submission audit record(s) written` : '') +
          (report.adoptedAuditRecords.length > 0 ? `; ${report.adoptedAuditRecords.length} submission audit record(s) on file adopted` : ''),
  };
}

/**
 * A pending bracket child the broker never received (see the top of this file): sent now if
 * its entry is at the broker and did not end unfilled; closed otherwise. With the kill switch
 * ACTIVE nothing new is sent: the entry is canceled instead, and whatever of it had filled is
 * reported unprotected.
 */
async function completeBracketChild(deps: RecoveryDeps, report: RecoveryReport, rec: OrderRecord, entryId: string): Promise<void> {
  const id = rec.intent.clientOrderId;
  const close = (reason: string): void => {
    deps.orders.recordReport(id, { ...notReceived(rec, deps.clock.now()), rejectReason: `${NOT_RECEIVED_REASON}; ${reason}` });
    report.pendingOrders.push(resolution(rec, 'not_received', 'canceled', null));
  };
  let entry = await deps.broker.fetchOrder(entryId);
  const plan = unsentChildAction(entryId, entry);
  if (plan.action === 'close') return close(plan.reason);
  if (deps.kill.get().state === 'ACTIVE') {
    if (entry !== undefined && !FINAL_ORDER_STATUSES.has(entry.status)) {
      entry = await deps.broker.cancel(entryId);
      deps.orders.recordReport(entryId, entry);
    }
    if (entry !== undefined && entry.filledQty > 0) {
      report.warnings.push(`bracket ${entryId}: kill switch ACTIVE at start-up, child ${id} not sent; the entry had filled ${entry.filledQty} ${rec.intent.symbol}, that position is NOT protected`);
    } else {
      report.warnings.push(`bracket ${entryId}: kill switch ACTIVE at start-up, child ${id} not sent; the entry was canceled at the broker unfilled`);
    }
    return close(`kill switch active at start-up recovery: bracket child not sent; its entry ${entryId} canceled`);
  }
  const sent = await deps.broker.submit(rec.intent);
  deps.orders.recordReport(id, sent);
  report.pendingOrders.push(resolution(rec, 'sent', sent.status, sent.orderId));
  if (sent.status === 'rejected') {
    report.warnings.push(`bracket ${entryId}: child ${id}, sent at start-up recovery, was rejected (${sent.rejectReason ?? 'no reason'}): the entry's position is NOT protected`);
  }
}

/** 5. Working orders: what happened to them while we were down (an acknowledged order the broker forgot refuses). */
async function refreshOpenOrders({ deps, report }: RecoveryRun): Promise<StepVerdict> {
  const forgotten: string[] = [];
  for (const rec of deps.orders.listOpen()) {
    const id = rec.intent.clientOrderId;
    const rep = await deps.broker.fetchOrder(id);
    if (rep === undefined) {
      forgotten.push(`${id} (${rec.status}, broker order ${rec.brokerOrderId ?? '?'})`);
      continue;
    }
    const prev = rec.lastReport;
    if (!prev || prev.status !== rep.status || prev.filledQty !== rep.filledQty || prev.fills.length !== rep.fills.length) {
      deps.orders.recordReport(id, rep);
      report.refreshedOrders.push(id);
    }
  }
  if (forgotten.length > 0) return { status: 'failed', detail: `the broker does not know ${forgotten.length} order(s) it acknowledged: ${forgotten.join(', ')}` };
  return { status: 'ok', detail: report.refreshedOrders.length === 0 ? 'no working order changed' : `${report.refreshedOrders.length} working order(s) changed at the broker: ${report.refreshedOrders.join(', ')}` };
}

/**
 * 6. The ledger against the broker: its replay must match its stored positions, and, with
 * the broker's fills it lacks added, the broker account; then those fills are posted in one
 * transaction (no fill lost; PORT skips fills already posted, so nothing is posted twice).
 */
async function reconcileLedger({ deps, report, recoveryId, tolerance }: RecoveryRun): Promise<StepVerdict> {
  const entries = deps.ledger.loadEntries();
  const book = replayLedger(entries);
  const problems: string[] = [];
  const stored = new Map(deps.ledger.loadPositions().map((p) => [p.symbol, p.qty]));
  for (const s of new Set([...stored.keys(), ...book.positions.keys()])) {
    const a = stored.get(s) ?? 0;
    const b = book.positions.get(s)?.qty ?? 0;
    if (Math.abs(a - b) > 1e-9) problems.push(`${s}: stored position ${a} != position replayed from the ledger ${b}`);
  }

  const missing = missingFills(deps.orders.listAll(), (id) => book.fills.has(id));
  const opening = entries.length === 0;
  let cash = opening ? deps.startingCash : book.cash;
  const positions = new Map<string, BookPosition>(book.positions);
  for (const f of missing) {
    const post = postFill(cash, positions.get(f.symbol) ?? FLAT, f, recoveryId);
    cash = post.cash;
    positions.set(f.symbol, post.position);
  }
  const account = await deps.broker.fetchAccount();
  if (!near(cash, account.cash, tolerance)) {
    problems.push(`ledger cash ${cash} (replayed, with ${missing.length} unposted broker fill(s)) != broker cash ${account.cash}`);
  }
  for (const s of new Set([...positions.keys(), ...account.positions.keys()])) {
    const ours = positions.get(s)?.qty ?? 0;
    const theirs = account.positions.get(s) ?? 0;
    if (Math.abs(ours - theirs) > 1e-9) problems.push(`${s}: ledger position ${ours} (with unposted broker fills) != broker position ${theirs}`);
  }
  const ledgerReport: LedgerCheck = {
    entries: entries.length,
    cash: opening ? deps.startingCash : book.cash,
    positions: Object.fromEntries([...book.positions].filter(([, p]) => p.qty !== 0).map(([s, p]) => [s, p.qty])),
    brokerCash: account.cash,
    brokerPositions: Object.fromEntries(account.positions),
    missingFills: missing.map((f) => f.fillId),
    postedFills: [],
    openingCashPosted: false,
  };
  report.ledger = ledgerReport;
  if (problems.length > 0) return { status: 'failed', detail: `ledger does not reconcile with the broker: ${problems.join('; ')}`, stopRest: 'ledger check failed' };
  if (missing.length > 0) {
    deps.transaction(() => {
      let c = opening ? deps.startingCash : book.cash;
      const pos = new Map<string, BookPosition>(book.positions);
      if (opening) {
        deps.ledger.appendEntries([openingCashEntry(deps.startingCash, Math.min(...missing.map((f) => f.ts)), recoveryId)]);
        ledgerReport.openingCashPosted = true;
      }
      for (const f of missing) {
        const post = postFill(c, pos.get(f.symbol) ?? FLAT, f, recoveryId);
        if (deps.ledger.commitFill(f, post.entries, toPosition(f.symbol, post.position, f.price))) ledgerReport.postedFills.push(f.fillId);
        c = post.cash;
        pos.set(f.symbol, post.position);
      }
    });
  }
  return {
    status: 'ok',
    detail:
      `${entries.length} entries replay to cash ${ledgerReport.cash}; ` +
      (missing.length === 0 ? 'no broker fill missing; ' : `${ledgerReport.postedFills.length} broker fill(s) the ledger lacked posted; `) +
      `matches the broker account (cash ${account.cash})`,
  };
}

/** 7. One `ops.recovery` audit record of what was found and done. */
function recordRecovery({ deps, report }: RecoveryRun): StepVerdict {
  report.auditRef = deps.governance.audit({
    kind: 'ops.recovery',
    componentId: 'orch',
    action: 'recovery',
    actor: 'orch.recovery',
    correlationId: null,
    decision: 'ok',
    subjectRef: null,
    payload: {
      abortedRuns: report.abortedRuns,
      runsLeftRunning: report.runsLeftRunning.map((r) => r.runId),
      pendingOrders: report.pendingOrders.map((p) => ({ clientOrderId: p.clientOrderId, outcome: p.outcome, status: p.status })),
      refreshedOrders: report.refreshedOrders,
      auditedOrders: report.auditedOrders,
      adoptedAuditRecords: report.adoptedAuditRecords,
      postedFills: report.ledger?.postedFills ?? [],
      killSwitch: report.killSwitch?.state ?? null,
    },
  });
  return { status: 'ok', detail: `ops.recovery audit record ${report.auditRef}` };
}

/** Throws E_RECOVERY_FAILED listing the reasons when the report is not ok. */
export function assertRecovered(report: RecoveryReport): void {
  if (report.ok) return;
  throw new OrdinisError('E_RECOVERY_FAILED', `start-up recovery failed; trading refused: ${report.reasons.join(' | ')}`, {
    details: { reasons: report.reasons },
  });
}

/** A one-line account of the report for logs and summaries. */
export function describeRecovery(r: RecoveryReport): string {
  if (!r.ok) return `FAILED: ${r.reasons.join(' | ')}`;
  const parts = [
    `audit ${r.auditChain?.checked ?? 0} ok`,
    `kill ${r.killSwitch?.state ?? '?'}`,
    `${r.abortedRuns.length} run(s) aborted`,
    `${r.pendingOrders.filter((p) => p.outcome === 'answered').length} pending answered`,
    `${r.pendingOrders.filter((p) => p.outcome === 'not_received').length} pending not received`,
    ...(r.pendingOrders.some((p) => p.outcome === 'sent') ? [`${r.pendingOrders.filter((p) => p.outcome === 'sent').length} bracket child(ren) sent`] : []),
    `${r.ledger?.postedFills.length ?? 0} fill(s) posted`,
  ];
  return parts.join(', ');
}

/**
 * Fills recorded in our order book (broker reports) that the ledger lacks, in the order the
 * broker executed them: by fill time, then submission order (how the venue fills a step).
 * Live reconciliation (modes/live/) counts them on our side too.
 */
export function missingFills(orders: readonly OrderRecord[], posted: (fillId: string) => boolean): Fill[] {
  const out: { fill: Fill; order: number }[] = [];
  orders.forEach((rec, i) => {
    for (const f of rec.lastReport?.fills ?? []) if (!posted(f.fillId)) out.push({ fill: f, order: i });
  });
  out.sort((a, b) => a.fill.ts - b.fill.ts || a.order - b.order);
  return out.map((x) => x.fill);
}

/** What recovery does with the runs found 'running', by the state of their owners. */
export interface RunAbortPlan {
  /** Owner gone: aborted with ABORT_REASON. */
  ownerGone: string[];
  /** No owner recorded (before schema v6): aborted with UNOWNED_ABORT_REASON. */
  unowned: string[];
  leftRunning: RunLeftRunning[];
}

export function planRunAborts(running: readonly RunRow[], processes: ProcessTable): RunAbortPlan {
  const plan: RunAbortPlan = { ownerGone: [], unowned: [], leftRunning: [] };
  for (const run of running) {
    const owner = run.owner ?? null;
    const state = ownerState(owner, processes);
    if (state === 'gone') plan.ownerGone.push(run.runId);
    else if (state === 'unrecorded') plan.unowned.push(run.runId);
    else plan.leftRunning.push({ runId: run.runId, kind: run.kind, owner, ownerState: state });
  }
  return plan;
}

function describeLeftRunning(r: RunLeftRunning): string {
  const who = r.owner ? `pid ${r.owner.pid} on ${r.owner.host}` : 'no owner';
  return r.ownerState === 'alive' ? `its owner, ${who}, is alive` : `owned by ${who}, another host: not checked from here`;
}

/** The first exec.submit record's seq per subject (client order id). */
function submissionRecordsBySubject(records: readonly AuditRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) if (r.kind === 'exec.submit' && r.subjectRef !== null && !out.has(r.subjectRef)) out.set(r.subjectRef, r.seq);
  return out;
}

function resolution(rec: OrderRecord, outcome: PendingResolution['outcome'], status: OrderRecordStatus, brokerOrderId: string | null): PendingResolution {
  return {
    clientOrderId: rec.intent.clientOrderId,
    correlationId: rec.intent.correlationId,
    symbol: rec.intent.symbol,
    side: rec.intent.side,
    qty: rec.intent.qty,
    outcome,
    status,
    brokerOrderId,
  };
}

function notReceived(rec: OrderRecord, ts: number): ExecutionReport {
  const i = rec.intent;
  return { orderId: '', clientOrderId: i.clientOrderId, symbol: i.symbol, side: i.side, status: 'canceled', qty: i.qty, filledQty: 0, fills: [], fees: 0, slippage: 0, rejectReason: NOT_RECEIVED_REASON, ts };
}

function near(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

