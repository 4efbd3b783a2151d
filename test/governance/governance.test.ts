import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { OrdinisError } from '../../src/errors.ts';
import { GovernanceEngine } from '../../src/governance/governance-engine.ts';
import { MemoryAuditStore, verifyChain } from '../../src/governance/audit-chain.ts';

const make = (params = {}) => {
  const store = new MemoryAuditStore();
  return { store, gov: new GovernanceEngine({ policyVersion: 'gov_v1', store, clock: new ManualClock(0), params }) };
};
const order = (payload: Record<string, unknown>) => ({ componentId: 'exec', action: 'order.submit', actor: 'orch', correlationId: 'c1', payload });

test('every preflight is audited with the policy version, and decisions are deterministic', () => {
  const { gov, store } = make();
  const a = gov.preflight(order({ symbol: 'ORCL', side: 'buy', qty: 10, referencePrice: 3 }));
  const b = gov.preflight(order({ symbol: 'ORCL', side: 'buy', qty: 10, referencePrice: 3 }));
  assert.equal(a.decision, 'allow');
  assert.deepEqual({ ...a, auditRef: 0 }, { ...b, auditRef: 0 });
  assert.deepEqual([a.auditRef, b.auditRef], [1, 2]);
  assert.equal(store.records.length, 2);
  assert.ok(store.records.every((r) => r.policyVersion === 'gov_v1' && r.kind === 'gov.preflight'));
  assert.equal(verifyChain(store.records).ok, true);
});

test('bad orders, restricted symbols and missing actors are denied with reasons', () => {
  const { gov } = make({ restrictedSymbols: ['XYZ'] });
  assert.match(gov.preflight(order({ symbol: 'ORCL', side: 'buy', qty: 0 })).reasons[0]!, /QTY_INVALID/);
  assert.equal(gov.preflight(order({ symbol: 'XYZ', side: 'buy', qty: 1 })).decision, 'deny');
  assert.equal(gov.preflight({ ...order({ symbol: 'A', side: 'buy', qty: 1 }), actor: ' ' }).decision, 'deny');
});

test('the notional cap narrows an order (modify) rather than widening it', () => {
  const { gov } = make({ maxOrderNotional: 1000 });
  const d = gov.preflight(order({ symbol: 'ORCL', side: 'buy', qty: 50, referencePrice: 30 }));
  assert.equal(d.decision, 'modify');
  assert.deepEqual(d.patch, { qty: 33 });
});

test('machines may not lift a kill switch; unknown policy versions fail', () => {
  const { gov } = make();
  assert.equal(gov.preflight({ componentId: 'kill', action: 'kill.deactivate', actor: 'system', correlationId: null, payload: {} }).decision, 'deny');
  assert.equal(gov.preflight({ componentId: 'kill', action: 'kill.deactivate', actor: 'alice', correlationId: null, payload: {} }).decision, 'allow');
  assert.throws(() => new GovernanceEngine({ policyVersion: 'gov_v9', store: new MemoryAuditStore(), clock: new ManualClock(0) }), (e: OrdinisError) => e.code === 'E_GOV_POLICY_MISSING');
});

test('auditedSubjects finds side effects with audit records', () => {
  const { gov } = make();
  gov.audit({ kind: 'exec.submit', componentId: 'exec', action: 'order.submit', actor: 'orch', correlationId: 'c', decision: 'submitted', subjectRef: 'co-1', payload: {} });
  assert.deepEqual([...gov.auditedSubjects(['co-1', 'co-2'])], ['co-1']);
});

test('an audit write failure is E_GOV_AUDIT_WRITE_FAILED (retryable) with the cause', () => {
  const gov = new GovernanceEngine({
    policyVersion: 'gov_v1', clock: new ManualClock(0),
    store: { append() { throw new Error('disk full'); }, findBySubject: () => [] },
  });
  assert.throws(() => gov.audit({ kind: 'k', componentId: 'c', action: 'a', actor: 'x', correlationId: null, decision: 'd', payload: {} }),
    (e: OrdinisError) => e.code === 'E_GOV_AUDIT_WRITE_FAILED' && e.retryable && (e.cause as Error).message === 'disk full');
});

test('audit chain detects edits, deletions and reordering', () => {
  const { gov, store } = make();
  for (let i = 0; i < 5; i++) gov.audit({ kind: 'k', componentId: 'c', action: `a${i}`, actor: 'x', correlationId: null, decision: 'd', payload: { i } });
  const recs = store.records;
  assert.equal(verifyChain(recs).ok, true);
  const edited = recs.map((r, i) => (i === 2 ? { ...r, payload: { i: 99 } } : r));
  assert.match(verifyChain(edited).reason!, /edited/);
  assert.equal(verifyChain([recs[0]!, recs[1]!, recs[3]!, recs[4]!]).brokenAt, 4);
  assert.equal(verifyChain([recs[0]!, recs[2]!, recs[1]!]).ok, false);
});

test('audit records carry the clock time of their own writing', () => {
  const store = new MemoryAuditStore();
  const clock = new ManualClock(Date.UTC(2024, 2, 1, 14, 30));
  const gov = new GovernanceEngine({ policyVersion: 'gov_v1', store, clock });
  gov.preflight(order({ symbol: 'ORCL', side: 'buy', qty: 1 }));
  gov.preflight(order({ symbol: 'ORCL', side: 'buy', qty: 1 }));
  clock.set(Date.UTC(2024, 2, 1, 14, 31, 2, 5));
  gov.preflight(order({ symbol: 'ORCL', side: 'buy', qty: 1 }));
  assert.deepEqual(
    store.records.map((r) => r.ts),
    ['2024-03-01T14:30:00.000Z', '2024-03-01T14:30:00.000Z', '2024-03-01T14:31:02.005Z'],
  );
});
