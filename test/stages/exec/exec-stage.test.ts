import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionBatch, ExecutionReport, OrderIntent } from '../../../src/domain/order.ts';
import type { RiskDecision } from '../../../src/domain/risk.ts';
import { OrdinisError } from '../../../src/errors.ts';
import type { BrokerAdapter } from '../../../src/stages/exec/broker-adapter.ts';
import { ExecStage } from '../../../src/stages/exec/exec-stage.ts';
import { MemoryOrderStore } from '../../../src/adapters/memory/memory-order-store.ts';
import { clientOrderIdFor, idempotencyKeyFor } from '../../../src/stages/exec/order-ids.ts';
import { PaperBroker } from '../../../src/adapters/venue/paper-broker.ts';
import type { StageOutputs } from '../../../src/kernel/stage-contract.ts';
import { DAY, FakeGovernance, T0, bar, makeCtx } from './support.ts';

function decision(symbol: string, side: 'buy' | 'sell', qty: number, ts: number, extra: Partial<RiskDecision> = {}): RiskDecision {
  return { signalId: `sig-${symbol}-${ts}`, symbol, ts, allowed: true, reasons: ['RISK.OK'], policyVersion: 'risk_v1', order: { side, qty, referencePrice: 10 }, ...extra };
}

/** Counts calls through to a real paper broker. */
class SpyBroker implements BrokerAdapter {
  submits: OrderIntent[] = [];
  fetches: string[] = [];
  failSubmit: OrdinisError | null = null;
  constructor(readonly inner = new PaperBroker({ startingCash: 10000 })) {}
  submit(i: OrderIntent): ExecutionReport {
    this.submits.push(i);
    if (this.failSubmit) throw this.failSubmit;
    return this.inner.submit(i);
  }
  cancel(id: string): ExecutionReport {
    return this.inner.cancel(id);
  }
  fetchOrder(id: string): ExecutionReport | undefined {
    this.fetches.push(id);
    return this.inner.fetchOrder(id);
  }
  fetchPositions(): ReadonlyMap<string, number> {
    return this.inner.fetchPositions();
  }
  fetchAccount() {
    return this.inner.fetchAccount();
  }
}

function setup(opts: { kill?: () => boolean } = {}) {
  const broker = new SpyBroker();
  broker.inner.onBar(bar('X', T0, 10, 10));
  broker.inner.onBar(bar('Y', T0, 20, 20));
  const store = new MemoryOrderStore();
  const gov = new FakeGovernance();
  const exec = new ExecStage({ broker, orderStore: store, governance: gov });
  const run = (risk: RiskDecision[], ts = T0, correlationId = `c-${ts}`): ExecutionBatch =>
    exec.run(makeCtx({ stage: 'EXEC', correlationId, cycleTime: ts, data: { RISK: risk }, killed: opts.kill ?? false })) as ExecutionBatch;
  return { broker, store, gov, exec, run };
}

test('allowed decisions become persisted, submitted and audited orders with deterministic ids', () => {
  const { broker, store, gov, run } = setup();
  const out = run([decision('X', 'buy', 10, T0), decision('Y', 'buy', 5, T0)]);
  assert.equal(out.submitted.length, 2);
  const key = idempotencyKeyFor({ correlationId: `c-${T0}`, signalId: `sig-X-${T0}`, symbol: 'X', side: 'buy', qty: 10 });
  assert.equal(out.submitted[0].intent.idempotencyKey, key);
  assert.equal(out.submitted[0].intent.clientOrderId, clientOrderIdFor(key));
  assert.equal(out.submitted[0].report.status, 'submitted');
  assert.deepEqual(out.working, out.submitted.map((s) => s.intent.clientOrderId));
  assert.equal(broker.submits.length, 2);
  const rec = store.findByIdempotencyKey(key)!;
  assert.equal(rec.status, 'submitted');
  assert.equal(rec.brokerOrderId, 'paper-1');
  const audits = gov.submitAudits();
  assert.equal(audits.length, 2);
  assert.equal(audits[0].subjectRef, rec.intent.clientOrderId);
  assert.equal(audits[0].policyVersion, 'gov_test_v1');
  assert.equal(audits[0].payload.riskPolicyVersion, 'risk_v1');
  assert.equal(rec.auditRef, audits[0].seq);
  assert.equal(gov.preflights.length, 2);
  assert.equal(gov.preflights[0].action, 'order.submit');
});

test('running EXEC twice for the same cycle never submits twice', () => {
  const { broker, store, gov, run } = setup();
  const decisions = [decision('X', 'buy', 10, T0)];
  const a = run(decisions);
  const b = run(decisions);
  assert.equal(broker.submits.length, 1);
  assert.equal(broker.inner.fetchOpenOrders().length, 1);
  assert.equal(store.listAll().length, 1);
  assert.deepEqual(b.submitted.map((s) => s.intent), a.submitted.map((s) => s.intent));
  assert.equal(b.submitted[0].report.orderId, a.submitted[0].report.orderId);
  assert.equal(gov.submitAudits().length, 1, 'the submission is audited once');
});

test('kill switch active at EXEC (enforcement point #3): nothing is submitted or persisted', () => {
  const { broker, store, gov, run } = setup({ kill: () => true });
  const out = run([decision('X', 'buy', 10, T0)]);
  assert.equal(out.submitted.length, 0);
  assert.equal(broker.submits.length, 0);
  assert.equal(store.listAll().length, 0);
  assert.deepEqual(out.refused.map((r) => r.code), ['E_KILL_ACTIVE']);
  assert.equal(gov.records.filter((r) => r.kind === 'exec.blocked').length, 1);
});

test('the kill switch is checked before every order (it can flip mid-cycle)', () => {
  let killed = false;
  const { broker } = setup({ kill: () => killed });
  const gov = new FakeGovernance();
  gov.verdict = () => {
    killed = true; // activated while the first order is being processed
    return { decision: 'allow', reasons: [] };
  };
  const exec = new ExecStage({ broker, orderStore: new MemoryOrderStore(), governance: gov });
  const out = exec.run(makeCtx({ stage: 'EXEC', data: { RISK: [decision('X', 'buy', 1, T0), decision('Y', 'buy', 1, T0)] }, killed: () => killed })) as ExecutionBatch;
  assert.equal(out.submitted.length, 1);
  assert.deepEqual(out.refused.map((r) => r.symbol), ['Y']);
});

test('a governance deny stops the order; a modify patch can narrow but never widen it', () => {
  const { broker, gov, run } = setup();
  gov.verdict = (c) =>
    c.payload.symbol === 'X'
      ? { decision: 'deny', reasons: ['restricted list'] }
      : c.payload.qty === 5
        ? { decision: 'modify', reasons: ['size'], patch: { qty: 3 } }
        : { decision: 'modify', reasons: ['widen?'], patch: { qty: 100 } };
  const out = run([decision('X', 'buy', 10, T0), decision('Y', 'buy', 5, T0), decision('Y', 'sell', 2, T0, { signalId: 'other' })]);
  assert.deepEqual(out.refused, [{ signalId: `sig-X-${T0}`, symbol: 'X', code: 'E_GOV_DENIED', reason: 'restricted list' }]);
  assert.deepEqual(out.submitted.map((s) => s.intent.qty), [3, 2]);
  assert.deepEqual(broker.submits.map((s) => s.qty), [3, 2]);
});

test('RISK cash-check rejections are reported as rejected orders, never sent', () => {
  const { broker, run } = setup();
  const out = run([decision('X', 'buy', 10_000, T0, { allowed: false, reasons: ['RISK.CASH.INSUFFICIENT'] }), decision('Y', 'buy', 1, T0, { allowed: false, reasons: ['RISK.ORDER.WORKING'], order: undefined })]);
  assert.equal(broker.submits.length, 0);
  assert.deepEqual(out.riskRejected.map((r) => [r.symbol, r.qty, r.reason]), [['X', 10_000, 'RISK.CASH.INSUFFICIENT']]);
});

test('capture: fills of earlier orders are recorded and handed to PORT in `resolved`', () => {
  const { broker, store, run } = setup();
  const first = run([decision('X', 'buy', 10, T0)]);
  const id = first.submitted[0].intent.clientOrderId;
  broker.inner.onBar(bar('X', T0 + DAY, 11, 12));
  const next = run([], T0 + DAY);
  assert.equal(next.resolved.length, 1);
  assert.equal(next.resolved[0].status, 'filled');
  assert.equal(next.resolved[0].fills[0].price, 11);
  assert.deepEqual(next.working, []);
  assert.equal(store.findByClientOrderId(id)!.status, 'filled');
  // Once captured, it is not handed over again.
  assert.equal(run([], T0 + 2 * DAY).resolved.length, 0);
});

test('pending-intent recovery: an answerless intent is resolved by querying the broker, not resubmitted', () => {
  const { broker, store, run } = setup();
  const d = decision('X', 'buy', 10, T0);
  const key = idempotencyKeyFor({ correlationId: `c-${T0}`, signalId: d.signalId, symbol: 'X', side: 'buy', qty: 10 });
  const intent: OrderIntent = { clientOrderId: clientOrderIdFor(key), idempotencyKey: key, correlationId: `c-${T0}`, signalId: d.signalId, symbol: 'X', side: 'buy', qty: 10, orderType: 'market', timeInForce: 'gtc', ts: T0 };
  // A crash after the broker accepted the order but before its answer was stored:
  store.insertIntent(intent);
  broker.inner.submit(intent);
  const out = run([d]);
  assert.equal(broker.submits.length, 0, 'the broker knew the order: not sent again');
  assert.ok(broker.fetches.includes(intent.clientOrderId));
  assert.equal(out.submitted[0].report.orderId, 'paper-1');
  assert.equal(store.findByClientOrderId(intent.clientOrderId)!.status, 'submitted');
});

test('pending-intent recovery: an intent the broker never received is submitted once', () => {
  const { broker, store, run } = setup();
  const d = decision('X', 'buy', 10, T0);
  const key = idempotencyKeyFor({ correlationId: `c-${T0}`, signalId: d.signalId, symbol: 'X', side: 'buy', qty: 10 });
  store.insertIntent({ clientOrderId: clientOrderIdFor(key), idempotencyKey: key, correlationId: `c-${T0}`, signalId: d.signalId, symbol: 'X', side: 'buy', qty: 10, orderType: 'market', timeInForce: 'gtc', ts: T0 });
  run([d]);
  assert.equal(broker.submits.length, 1);
  assert.ok(broker.fetches.includes(clientOrderIdFor(key)), 'the broker was asked first');
});

test('an answerless intent from an earlier cycle that the broker never saw is closed, not sent late', () => {
  const { broker, store, run } = setup();
  const old: OrderIntent = { clientOrderId: 'old', idempotencyKey: 'old-key', correlationId: 'earlier', signalId: 's', symbol: 'X', side: 'buy', qty: 1, orderType: 'market', timeInForce: 'gtc', ts: T0 - DAY };
  store.insertIntent(old);
  const out = run([]);
  assert.equal(broker.submits.length, 0);
  assert.equal(out.resolved[0].status, 'canceled');
  assert.equal(store.findByClientOrderId('old')!.status, 'canceled');
});

test('the same key with a different order on file is an idempotency conflict', () => {
  const { broker, store, gov } = setup();
  const d = decision('X', 'buy', 10, T0);
  const key = idempotencyKeyFor({ correlationId: `c-${T0}`, signalId: d.signalId, symbol: 'X', side: 'buy', qty: 10 });
  store.insertIntent({ clientOrderId: clientOrderIdFor(key), idempotencyKey: key, correlationId: `c-${T0}`, signalId: d.signalId, symbol: 'X', side: 'buy', qty: 10, orderType: 'market', timeInForce: 'gtc', ts: T0 });
  const exec = new ExecStage({ broker, orderStore: store, governance: gov, timeInForce: 'day' });
  assert.throws(
    () => exec.run(makeCtx({ stage: 'EXEC', correlationId: `c-${T0}`, data: { RISK: [d] } })),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_EXEC_IDEMPOTENCY_CONFLICT',
  );
  assert.equal(broker.submits.length, 0);
});

test('an audit write failure after submission: the retry audits without resubmitting', () => {
  const { broker, store, gov, run } = setup();
  gov.failAudits = false;
  const origAudit = gov.audit.bind(gov);
  let failNextSubmitAudit = true;
  gov.audit = (r) => {
    if (r.kind === 'exec.submit' && failNextSubmitAudit) {
      failNextSubmitAudit = false;
      throw new OrdinisError('E_GOV_AUDIT_WRITE_FAILED', 'disk full');
    }
    return origAudit(r);
  };
  const decisions = [decision('X', 'buy', 10, T0)];
  assert.throws(() => run(decisions), (e: unknown) => e instanceof OrdinisError && e.code === 'E_GOV_AUDIT_WRITE_FAILED' && e.retryable);
  const out = run(decisions);
  assert.equal(broker.submits.length, 1);
  assert.equal(gov.submitAudits().length, 1);
  assert.equal(store.findByClientOrderId(out.submitted[0].intent.clientOrderId)!.auditRef, gov.submitAudits()[0].seq);
});

test('fills captured by an attempt that then failed are delivered by the retry', () => {
  const { broker, run } = setup();
  run([decision('X', 'buy', 10, T0)]);
  broker.inner.onBar(bar('X', T0 + DAY, 11, 12));
  broker.failSubmit = new OrdinisError('E_EXEC_CIRCUIT_OPEN');
  assert.throws(() => run([decision('Y', 'buy', 1, T0 + DAY)], T0 + DAY), (e: unknown) => e instanceof OrdinisError && e.code === 'E_EXEC_CIRCUIT_OPEN');
  broker.failSubmit = null;
  const retry = run([decision('Y', 'buy', 1, T0 + DAY)], T0 + DAY);
  assert.deepEqual(retry.resolved.map((r) => [r.symbol, r.status]), [['X', 'filled']]);
  assert.equal(retry.submitted.length, 1);
  assert.equal(broker.inner.fetchOpenOrders().length, 1, 'Y submitted exactly once');
});

test('an asynchronous broker works through the same flow', async () => {
  const paper = new PaperBroker({ startingCash: 10000 });
  paper.onBar(bar('X', T0, 10, 10));
  const asyncBroker: BrokerAdapter = {
    submit: async (i) => paper.submit(i),
    cancel: async (id) => paper.cancel(id),
    fetchOrder: async (id) => paper.fetchOrder(id),
    fetchPositions: async () => paper.fetchPositions(),
    fetchAccount: async () => paper.fetchAccount(),
  };
  const store = new MemoryOrderStore();
  const exec = new ExecStage({ broker: asyncBroker, orderStore: store, governance: new FakeGovernance() });
  const pending = exec.run(makeCtx({ stage: 'EXEC', data: { RISK: [decision('X', 'buy', 10, T0)] } }));
  assert.ok(pending instanceof Promise);
  const out = await pending;
  assert.equal(out.submitted.length, 1);
  paper.onBar(bar('X', T0 + DAY, 11, 11));
  const next = await exec.run(makeCtx({ stage: 'EXEC', cycleTime: T0 + DAY, data: { RISK: [] as StageOutputs['RISK'] } }));
  assert.equal(next.resolved[0].status, 'filled');
});

test('on its first run EXEC re-emits stored fills so PORT can recover unposted ones', () => {
  const { broker, store, gov, run } = setup();
  run([decision('X', 'buy', 10, T0)]);
  broker.inner.onBar(bar('X', T0 + DAY, 11, 12));
  run([], T0 + DAY);
  // A restarted process: a new EXEC over the same store.
  const fresh = new ExecStage({ broker, orderStore: store, governance: gov });
  const first = fresh.run(makeCtx({ stage: 'EXEC', cycleTime: T0 + 2 * DAY, data: {} })) as ExecutionBatch;
  assert.equal(first.recovered.length, 1);
  assert.equal(first.recovered[0].fills.length, 1);
  const second = fresh.run(makeCtx({ stage: 'EXEC', cycleTime: T0 + 3 * DAY, data: {} })) as ExecutionBatch;
  assert.equal(second.recovered.length, 0);
});

test('summarize counts the batch', () => {
  const { exec, run } = setup();
  const out = run([decision('X', 'buy', 10, T0), decision('Y', 'buy', 10_000, T0, { allowed: false, reasons: ['RISK.CASH.INSUFFICIENT'] })]);
  assert.deepEqual(exec.summarize(out), { submitted: 1, resolved: 0, filled: 0, rejected: 1, working: 1, riskRejected: 1, refused: 0 });
});

test("an explicit order's terms reach the intent and its key; a market order's key is what it always was", () => {
  const { broker, run } = setup();
  const terms = { orderType: 'limit', limitPrice: 9.5, timeInForce: 'day' } as const;
  const out = run([decision('X', 'buy', 10, T0, { signalId: 's-limit', order: { side: 'buy', qty: 10, referencePrice: 9.5, terms } })]);
  const intent = out.submitted[0]!.intent;
  assert.deepEqual([intent.orderType, intent.limitPrice, intent.stopPrice, intent.timeInForce], ['limit', 9.5, undefined, 'day']);
  assert.equal(intent.idempotencyKey, idempotencyKeyFor({ correlationId: `c-${T0}`, signalId: 's-limit', symbol: 'X', side: 'buy', qty: 10, terms }));
  assert.notEqual(intent.idempotencyKey, idempotencyKeyFor({ correlationId: `c-${T0}`, signalId: 's-limit', symbol: 'X', side: 'buy', qty: 10 }));
  assert.equal(
    idempotencyKeyFor({ correlationId: 'c', signalId: 's', symbol: 'X', side: 'buy', qty: 1, terms: { orderType: 'market' } }),
    idempotencyKeyFor({ correlationId: 'c', signalId: 's', symbol: 'X', side: 'buy', qty: 1 }),
  );
  assert.equal(broker.inner.fetchOpenOrders()[0]?.clientOrderId, intent.clientOrderId);
});

test('a cancel decision cancels an open order on file and hands its final report on; an unknown id is refused', () => {
  const { broker, store, run } = setup();
  const terms = { orderType: 'stop', stopPrice: 50 } as const;
  const placed = run([decision('X', 'buy', 10, T0, { order: { side: 'buy', qty: 10, referencePrice: 50, terms } })]).submitted[0]!.intent;
  const cancel = (id: string, symbol = 'X'): RiskDecision => ({ signalId: `cancel-${id}`, symbol, ts: T0 + DAY, allowed: true, reasons: ['RISK.OK'], policyVersion: 'risk_v1', cancel: id });
  broker.inner.onBar(bar('X', T0 + DAY, 10, 10)); // the stop is not touched
  const out = run([cancel('nope'), cancel(placed.clientOrderId, 'Y'), cancel(placed.clientOrderId)], T0 + DAY);
  assert.deepEqual(out.refused.map((r) => [r.code, r.reason]), [
    ['E_EXEC_ORDER_UNKNOWN', 'cancel: no open order nope for X'],
    ['E_EXEC_ORDER_UNKNOWN', `cancel: no open order ${placed.clientOrderId} for Y`],
  ]);
  assert.deepEqual(out.resolved.map((r) => [r.clientOrderId, r.status]), [[placed.clientOrderId, 'canceled']]);
  assert.equal(store.findByClientOrderId(placed.clientOrderId)?.status, 'canceled');
  assert.deepEqual(broker.inner.fetchOpenOrders(), []);
});

test("a bracket child's intent names its entry's client order id; a child whose entry was not sent is refused", () => {
  const { broker, run } = setup();
  const entry = decision('X', 'buy', 10, T0, { signalId: 'e' });
  const sl = decision('X', 'sell', 10, T0, { signalId: 'e/sl', parentSignalId: 'e', order: { side: 'sell', qty: 10, referencePrice: 8, terms: { orderType: 'stop', stopPrice: 8 } } });
  const orphan = decision('X', 'sell', 10, T0, { signalId: 'z/sl', parentSignalId: 'z', order: { side: 'sell', qty: 10, referencePrice: 8, terms: { orderType: 'stop', stopPrice: 8 } } });
  const out = run([entry, sl, orphan]);
  assert.equal(out.submitted.length, 2);
  assert.equal(out.submitted[1]!.intent.parentId, out.submitted[0]!.intent.clientOrderId);
  assert.deepEqual(out.refused.map((r) => [r.signalId, r.code]), [['z/sl', 'E_EXEC_ORDER_UNKNOWN']]);
  assert.equal(broker.inner.fetchOpenOrders().length, 2);
});

test("a bracket's children are on file before its entry is sent; a child an attempt left unsent is sent by a later cycle once the broker has the entry", () => {
  const { broker, store, gov, run } = setup();
  const entry = decision('X', 'buy', 10, T0, { signalId: 'e' });
  const child = (leg: string, terms: { orderType: 'stop'; stopPrice: number } | { orderType: 'limit'; limitPrice: number }) =>
    decision('X', 'sell', 10, T0, { signalId: `e/${leg}`, parentSignalId: 'e', order: { side: 'sell', qty: 10, referencePrice: 10, terms } });
  const realSubmit = broker.inner.submit.bind(broker.inner);
  let pendingAtEntry: number | undefined;
  broker.inner.submit = (i) => {
    if (i.parentId === undefined) pendingAtEntry = store.listOpen().filter((r) => r.status === 'pending').length;
    else throw new OrdinisError('E_EXEC_BROKER_UNAVAILABLE', 'venue down after the entry');
    return realSubmit(i);
  };
  assert.throws(() => run([entry, child('sl', { orderType: 'stop', stopPrice: 8 }), child('tp', { orderType: 'limit', limitPrice: 12 })]), /venue down after the entry/);
  assert.equal(pendingAtEntry, 3, 'the entry and both children were written before the entry was sent');
  broker.inner.submit = realSubmit;
  const later = run([], T0 + DAY);
  assert.equal(later.working.length, 3, 'the entry and its two children work');
  const children = store.listAll().filter((r) => r.intent.parentId !== undefined);
  assert.deepEqual(children.map((r) => r.status), ['submitted', 'submitted']);
  for (const c of children) assert.ok(gov.submitAudits().some((a) => a.subjectRef === c.intent.clientOrderId && a.seq === c.auditRef), 'each child sent late has its exec.submit record');
  assert.equal(broker.inner.fetchOpenOrders().length, 3);
  assert.equal(broker.submits.filter((i) => i.parentId !== undefined).length, 3, 'the stop-loss\'s failed attempt, then one submission each');
});

test('a bracket child governance refuses refuses its entry too: nothing of the bracket is written or sent', () => {
  const { broker, store, gov, run } = setup();
  gov.verdict = (ctx) => (ctx.payload.signalId === 'e/tp' ? { decision: 'deny', reasons: ['no take-profits today'] } : { decision: 'allow', reasons: [] });
  const out = run([
    decision('X', 'buy', 10, T0, { signalId: 'e' }),
    decision('X', 'sell', 10, T0, { signalId: 'e/sl', parentSignalId: 'e', order: { side: 'sell', qty: 10, referencePrice: 8, terms: { orderType: 'stop', stopPrice: 8 } } }),
    decision('X', 'sell', 10, T0, { signalId: 'e/tp', parentSignalId: 'e', order: { side: 'sell', qty: 10, referencePrice: 12, terms: { orderType: 'limit', limitPrice: 12 } } }),
  ]);
  assert.equal(out.submitted.length, 0);
  assert.deepEqual(out.refused.map((r) => [r.signalId, r.code]), [['e', 'E_GOV_DENIED'], ['e/sl', 'E_GOV_DENIED'], ['e/tp', 'E_GOV_DENIED']]);
  assert.match(out.refused[0]!.reason, /bracket child e\/tp refused \(no take-profits today\): the entry is not sent without it/);
  assert.deepEqual([store.listAll().length, broker.submits.length], [0, 0]);
});

test("an OCO member's intent names its group's first order; a member whose first order was not sent is refused", () => {
  const { run } = setup();
  const stop = (signalId: string, side: 'buy' | 'sell', extra: Partial<RiskDecision> = {}) =>
    decision('X', side, 1, T0, { signalId, order: { side, qty: 1, referencePrice: 11, terms: { orderType: 'stop', stopPrice: side === 'buy' ? 11 : 9 } }, ...extra });
  const out = run([stop('s/0', 'buy'), stop('s/1', 'sell', { ocoSignalId: 's/0' }), stop('t/1', 'sell', { ocoSignalId: 't/0' })]);
  assert.equal(out.submitted[1]!.intent.ocoWith, out.submitted[0]!.intent.clientOrderId);
  assert.deepEqual(out.refused.map((r) => [r.signalId, r.code]), [['t/1', 'E_EXEC_ORDER_UNKNOWN']]);
});
