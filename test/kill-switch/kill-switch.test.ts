import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { OrdinisError } from '../../src/errors.ts';
import { KillSwitch } from '../../src/kill-switch/kill-switch.ts';
import { MemoryKillSwitchStore } from '../../src/kill-switch/contract.ts';
import { GovernanceEngine } from '../../src/governance/governance-engine.ts';
import { MemoryAuditStore } from '../../src/governance/audit-chain.ts';
import { RecordingEvents } from '../support/recording-events.ts';

const setup = () => {
  const clock = new ManualClock(Date.UTC(2024, 5, 1));
  const audit = new MemoryAuditStore();
  const gov = new GovernanceEngine({ policyVersion: 'gov_v1', store: audit, clock });
  const events = new RecordingEvents();
  const store = new MemoryKillSwitchStore();
  const kill = new KillSwitch({ store, clock, governance: gov, events, failSafe: true });
  return { clock, audit, events, store, kill };
};

test('activate and deactivate: state, persistence, audit and events', () => {
  const { kill, store, audit, events } = setup();
  assert.equal(kill.get().state, 'INACTIVE');
  const s = kill.activate('drawdown', 'alice');
  assert.equal(s.state, 'ACTIVE');
  assert.equal(s.actor, 'alice');
  assert.equal(s.activatedAt, '2024-06-01T00:00:00.000Z');
  assert.equal(store.load()!.state, 'ACTIVE');
  kill.deactivate('bob');
  assert.equal(kill.isActive(), false);
  assert.deepEqual(events.topics(), ['ordinis.ops.kill.activated', 'ordinis.ops.kill.deactivated']);
  assert.deepEqual(audit.records.map((r) => r.kind), ['gov.preflight', 'kill.activate', 'gov.preflight', 'kill.deactivate']);
});

test('repeated transitions are refused with E_KILL_ALREADY_*', () => {
  const { kill } = setup();
  assert.throws(() => kill.deactivate('bob'), (e: OrdinisError) => e.code === 'E_KILL_ALREADY_INACTIVE');
  kill.activate('x', 'alice');
  assert.throws(() => kill.activate('y', 'alice'), (e: OrdinisError) => e.code === 'E_KILL_ALREADY_ACTIVE');
  assert.equal(kill.get().reason, 'x');
});

test('enforcement throws E_KILL_ACTIVE naming the component', () => {
  const { kill } = setup();
  kill.enforce('exec');
  kill.activate('halt', 'alice');
  assert.throws(() => kill.enforce('exec'), (e: OrdinisError) => e.code === 'E_KILL_ACTIVE' && /exec refused/.test(e.message));
});

test('governance denies a machine lifting the switch', () => {
  const { kill } = setup();
  kill.activate('breach', 'orch');
  assert.throws(() => kill.deactivate('system'), (e: OrdinisError) => e.code === 'E_KILL_GOV_DENIED');
  assert.equal(kill.isActive(), true);
});

test('an unreadable state means ACTIVE when fail-safe, INACTIVE otherwise', () => {
  const broken = { load: () => { throw new Error('corrupt'); }, save: () => {} };
  const clock = new ManualClock(0);
  const safe = new KillSwitch({ store: broken, clock, failSafe: true });
  assert.equal(safe.isActive(), true);
  assert.match(safe.get().reason!, /unreadable.*corrupt/);
  assert.equal(new KillSwitch({ store: broken, clock, failSafe: false }).isActive(), false);
});

test('state survives a new instance over the same store', () => {
  const { kill, store, clock } = setup();
  kill.activate('persist me', 'alice');
  const again = new KillSwitch({ store, clock, failSafe: true });
  assert.equal(again.get().reason, 'persist me');
});

test('a switch flipped by another process (same SQLite file) is adopted at the next cycle', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { openDatabase } = await import('../../src/persistence/database.ts');
  const { makeEngine } = await import('../support/engine-harness.ts');
  const file = join(mkdtempSync(join(tmpdir(), 'ordinis-kill-')), 'k.db');
  const engineDb = openDatabase({ path: file });
  const cliDb = openDatabase({ path: file });
  const clock = new ManualClock(0);
  const engineKill = new KillSwitch({ store: engineDb.killSwitch, clock, failSafe: true });
  const { engine, calls } = makeEngine({ kill: engineKill });
  engine.start();
  assert.equal((await engine.runCycle({ kind: 'manual' })).status, 'ok');
  // The operator's CLI, a separate KillSwitch over its own connection.
  new KillSwitch({ store: cliDb.killSwitch, clock, failSafe: true }).activate('operator halt', 'alice');
  calls.length = 0;
  const r = await engine.runCycle({ kind: 'manual' });
  assert.equal(r.status, 'blocked');
  assert.match(r.blockReason!, /operator halt/);
  assert.ok(!calls.includes('EXEC'));
  // And lifted the same way; an activate from the stale side is refused as already active.
  const cliKill = new KillSwitch({ store: cliDb.killSwitch, clock, failSafe: true });
  cliKill.deactivate('alice');
  assert.equal((await engine.runCycle({ kind: 'manual' })).status, 'ok');
  cliKill.activate('again', 'bob');
  assert.throws(() => engineKill.activate('dup', 'carol'), (e: OrdinisError) => e.code === 'E_KILL_ALREADY_ACTIVE');
  engineDb.close();
  cliDb.close();
});

test('an activation the store refused stays in force across sync and is persisted once the store recovers', () => {
  const clock = new ManualClock(0);
  const inner = new MemoryKillSwitchStore({ state: 'INACTIVE', reason: null, activatedAt: null, actor: null, updatedAt: '1970-01-01T00:00:00.000Z' });
  let failing = true;
  const store = { load: () => inner.load(), save: (s: Parameters<typeof inner.save>[0]) => { if (failing) throw new Error('SQLITE_BUSY'); inner.save(s); } };
  const kill = new KillSwitch({ store, clock, failSafe: true });
  assert.throws(() => kill.activate('audit failed', 'orch'), /SQLITE_BUSY/);
  assert.equal(kill.isActive(), true);
  kill.sync();
  assert.equal(kill.isActive(), true, 'the stale INACTIVE row does not undo the activation');
  failing = false;
  kill.sync();
  assert.equal(inner.load()!.state, 'ACTIVE', 'persisted on the next sync');
  assert.equal(kill.isActive(), true);
});
