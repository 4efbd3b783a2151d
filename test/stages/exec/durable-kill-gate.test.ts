// EXEC's durable kill check at each submission, with a real SQLite file and a second
// connection standing in for another process (`ordinis kill activate`). The in-process
// switch of the trading side is stale on purpose: it last read the state before the other
// connection committed the activation, as a loop between two stage boundaries is.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { systemClock } from '../../../src/core/clock.ts';
import type { ExecutionBatch, ExecutionReport, OrderIntent } from '../../../src/domain/order.ts';
import type { RiskDecision } from '../../../src/domain/risk.ts';
import { GovernanceEngine } from '../../../src/governance/governance-engine.ts';
import { DurableKillGate } from '../../../src/kill-switch/durable-kill-gate.ts';
import { KillSwitch } from '../../../src/kill-switch/kill-switch.ts';
import { openDatabase, type OrdinisDatabase } from '../../../src/persistence/database.ts';
import { otherConnectionsCommitted } from '../../../src/persistence/sqlite-commit-probe.ts';
import type { OrderStore } from '../../../src/stages/exec/order-store.ts';
import { ExecStage, KILLED_BEFORE_SUBMIT } from '../../../src/stages/exec/exec-stage.ts';
import { PaperBroker } from '../../../src/adapters/venue/paper-broker.ts';
import { tempDir } from '../../modes/paper/paper-support.ts';
import { T0, bar, makeCtx } from './support.ts';

function decision(symbol: string): RiskDecision {
  return { signalId: `sig-${symbol}`, symbol, ts: T0, allowed: true, reasons: ['RISK.OK'], policyVersion: 'risk_v1', order: { side: 'buy', qty: 10, referencePrice: 10 } };
}

function killSwitchOn(db: OrdinisDatabase): KillSwitch {
  const governance = new GovernanceEngine({ policyVersion: 'gov_v1', store: db.audit, clock: systemClock });
  return new KillSwitch({ store: db.killSwitch, clock: systemClock, governance, failSafe: true });
}

interface OrderStoreHooks {
  /** After an intent was committed, before the broker is called. */
  afterInsert?: () => void;
  /** After an answer was recorded (the submission's transaction has committed). */
  afterRecord?: () => void;
}

/** The trading side (EXEC over a paper venue, with or without the gate) and another connection to the same file. */
function setup(t: TestContext, withGate: boolean, hooks: OrderStoreHooks = {}) {
  const path = join(tempDir(t, 'ordinis-gate-'), 'gate.db');
  const db = openDatabase({ path });
  const other = openDatabase({ path });
  t.after(() => {
    db.close();
    other.close();
  });
  const kill = killSwitchOn(db);
  const venue = new PaperBroker({ startingCash: 100_000 });
  venue.onBar(bar('X', T0, 10, 10));
  venue.onBar(bar('Y', T0, 10, 10));
  const orders: OrderStore = Object.create(db.orders, {
    insertIntent: {
      value: (i: OrderIntent) => {
        const r = db.orders.insertIntent(i);
        hooks.afterInsert?.();
        return r;
      },
    },
    recordReport: {
      value: (id: string, r: ExecutionReport) => {
        db.orders.recordReport(id, r);
        hooks.afterRecord?.();
      },
    },
  }) as OrderStore;
  const gate = new DurableKillGate({ kill, transaction: (fn) => db.transaction(fn), committedElsewhere: otherConnectionsCommitted(db.handle) });
  const governance = new GovernanceEngine({ policyVersion: 'gov_v1', store: db.audit, clock: systemClock });
  const exec = new ExecStage({ broker: venue, orderStore: orders, governance, kill, ...(withGate ? { gate } : {}) });
  const run = (risk: RiskDecision[]): ExecutionBatch => exec.run(makeCtx({ stage: 'EXEC', data: { RISK: risk } })) as ExecutionBatch;
  return { db, other, kill, venue, run, activateElsewhere: () => killSwitchOn(other).activate('operator stop', 'alice') };
}

test('an activation another connection committed is seen at the next submission: the order is refused, the switch adopts it', (t) => {
  const s = setup(t, true);
  assert.equal(s.kill.isActive(), false);
  s.activateElsewhere();
  assert.equal(s.kill.isActive(), false, 'the trading side has not re-read the state yet');

  const out = s.run([decision('X')]);
  assert.equal(s.venue.ordersHeld, 0, 'nothing reached the venue');
  assert.equal(out.submitted.length, 0);
  assert.deepEqual(out.refused.map((r) => r.code), ['E_KILL_ACTIVE']);
  assert.equal(s.kill.isActive(), true, 'the in-process switch adopted the stored state');
  assert.equal(s.kill.get().actor, 'alice');
  assert.equal(s.db.audit.verify().ok, true);
});

test('without the gate (the defect): the stale in-process switch lets the order through', (t) => {
  const s = setup(t, false);
  s.activateElsewhere();
  s.run([decision('X')]);
  assert.equal(s.venue.ordersHeld, 1);
});

test('an activation committed after one order was sent stops the next order of the same EXEC run', (t) => {
  let activated = false;
  const s = setup(t, true, {
    afterRecord: () => {
      if (!activated) {
        activated = true;
        s.activateElsewhere();
      }
    },
  });
  const out = s.run([decision('X'), decision('Y')]);
  assert.deepEqual(out.submitted.map((o) => o.intent.symbol), ['X']);
  assert.deepEqual(out.refused.map((r) => [r.symbol, r.code]), [['Y', 'E_KILL_ACTIVE']]);
  assert.equal(s.venue.ordersHeld, 1);
});

test('an activation committed between the intent and the submission: the intent is closed unsent, never left pending', (t) => {
  let activated = false;
  const s = setup(t, true, {
    afterInsert: () => {
      if (!activated) {
        activated = true;
        s.activateElsewhere();
      }
    },
  });
  const out = s.run([decision('X')]);
  assert.equal(s.venue.ordersHeld, 0, 'nothing reached the venue');
  assert.deepEqual(out.refused.map((r) => [r.symbol, r.code, r.reason]), [['X', 'E_KILL_ACTIVE', KILLED_BEFORE_SUBMIT]]);
  const [intent] = s.db.orders.listAll();
  assert.equal(intent?.status, 'canceled');
  assert.equal(intent?.lastReport?.rejectReason, KILLED_BEFORE_SUBMIT);
  assert.equal(s.db.orders.listOpen().length, 0);
});

test('a transaction that rolls back after the venue took the order leaves the venue refusing (its memory is ahead of its store)', (t) => {
  const path = join(tempDir(t, 'ordinis-gate-'), 'rollback.db');
  const db = openDatabase({ path });
  t.after(() => db.close());
  const kill = killSwitchOn(db);
  const venue = new PaperBroker({ startingCash: 100_000 });
  venue.onBar(bar('X', T0, 10, 10));
  const gate = new DurableKillGate({
    kill,
    transaction: (fn) =>
      db.transaction(() => {
        const r = fn();
        throw new Error('commit failed');
        return r;
      }),
    onSubmitRolledBack: (e) => venue.invalidate(e),
  });
  assert.throws(() => gate.send(() => venue.submit({ clientOrderId: 'c1', idempotencyKey: 'k1', correlationId: 'c', signalId: 's', symbol: 'X', side: 'buy', qty: 1, orderType: 'market', timeInForce: 'gtc', ts: T0 })), /commit failed/);
  assert.throws(() => venue.fetchOrder('c1'), (e: unknown) => (e as { code?: string }).code === 'E_EXEC_BROKER_UNAVAILABLE');
});
