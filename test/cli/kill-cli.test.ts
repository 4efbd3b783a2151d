// `ordinis kill status|activate|deactivate`: one scenario on one database, in order, then
// the audit records the changes left behind.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/persistence/database.ts';
import { cli, failsWith, okJson, okText, tempDbPath } from './cli-harness.ts';

test('kill: status, activate, refusals (twice, machine actor, missing options), deactivate, all governed and audited', async (t) => {
  const { db: DB } = tempDbPath(t);
  openDatabase({ path: DB }).close(); // an empty, migrated database

  // Never set: INACTIVE. Bad options fail before anything is opened or written (every rule
  // of operatorText is covered in-process in flags.test.ts).
  const [statusJson, statusText, noReason, ctrlActor, noActorDeactivate] = await Promise.all([
    cli(['kill', 'status', '--db', DB, '--json']),
    cli(['kill', 'status', '--db', DB]),
    cli(['kill', 'activate', '--db', DB, '--actor', 'alice']),
    cli(['kill', 'activate', '--db', DB, '--reason', 'halt', '--actor', 'ali\u001bce']),
    cli(['kill', 'deactivate', '--db', DB]),
  ]);
  assert.deepEqual(okJson(statusJson), {
    kill: { state: 'INACTIVE', reason: null, activatedAt: null, actor: null, updatedAt: null },
    stored: false,
    database: DB,
  });
  assert.match(okText(statusText), /^kill switch\s+INACTIVE\s+\(never set in this database\)$/m);
  failsWith(noReason, 'E_CFG_INVALID', /--reason is required/);
  failsWith(ctrlActor, 'E_CFG_INVALID', /--actor must not contain control characters/);
  failsWith(noActorDeactivate, 'E_CFG_INVALID', /--actor is required/);

  // Activate.
  const act = okJson(await cli(['kill', 'activate', '--db', DB, '--reason', '  market halt ', '--actor', 'alice', '--json']));
  assert.equal(act.kill.state, 'ACTIVE');
  assert.equal(act.kill.reason, 'market halt', 'trimmed');
  assert.equal(act.kill.actor, 'alice');
  assert.match(act.kill.activatedAt, /^\d{4}-\d\d-\d\dT.*Z$/);

  // Twice: refused, naming who holds it; a machine actor may not lift it; the state is untouched.
  const [twice, denied] = await Promise.all([
    cli(['kill', 'activate', '--db', DB, '--reason', 'again', '--actor', 'bob']),
    cli(['kill', 'deactivate', '--db', DB, '--actor', 'system', '--json']),
  ]);
  failsWith(twice, 'E_KILL_ALREADY_ACTIVE', /already active since .* by alice \(reason: market halt\); nothing changed/);
  failsWith(denied, 'E_KILL_GOV_DENIED', /deactivation by system denied: GOV\.KILL\.HUMAN_RESET_REQUIRED/);
  const [still, stillText] = await Promise.all([cli(['kill', 'status', '--db', DB, '--json']), cli(['kill', 'status', '--db', DB])]);
  assert.deepEqual(okJson(still), { kill: act.kill, stored: true, database: DB });
  const st = okText(stillText);
  assert.match(st, /^kill switch\s+ACTIVE$/m);
  assert.match(st, /^reason\s+market halt$/m);
  assert.match(st, /^actor\s+alice$/m);

  // Deactivate (readable output), then again: refused.
  const off = okText(await cli(['kill', 'deactivate', '--db', DB, '--actor', 'bob']));
  assert.match(off, /^kill switch\s+INACTIVE$/m);
  assert.match(off, /^database\s+.*ordinis\.db$/m);
  assert.match(off, /engine running over this database adopts the change at its next cycle/);
  const [again, finalStatus] = await Promise.all([
    cli(['kill', 'deactivate', '--db', DB, '--actor', 'bob']),
    cli(['kill', 'status', '--db', DB, '--json']),
  ]);
  failsWith(again, 'E_KILL_ALREADY_INACTIVE', /already inactive; nothing changed/);
  const fin = okJson(finalStatus);
  assert.equal(fin.kill.state, 'INACTIVE');
  assert.equal(fin.stored, true);

  // The audit log: each change preflighted and recorded with its actor, the denial on
  // record too, the refusals (nothing changed) not; one correlation id per command.
  const db = openDatabase({ path: DB, readonly: true });
  try {
    const records = db.audit.list();
    assert.deepEqual(
      records.map((r) => [r.kind, r.action, r.actor, r.decision]),
      [
        ['gov.preflight', 'kill.activate', 'alice', 'allow'],
        ['kill.activate', 'kill.activated', 'alice', 'ACTIVE'],
        ['gov.preflight', 'kill.deactivate', 'system', 'deny'],
        ['gov.preflight', 'kill.deactivate', 'bob', 'allow'],
        ['kill.deactivate', 'kill.deactivated', 'bob', 'INACTIVE'],
      ],
    );
    assert.ok(records.every((r) => r.policyVersion === 'gov_v1' && /^cli-[0-9a-f-]{36}$/.test(r.correlationId ?? '')));
    assert.equal(records[0].correlationId, records[1].correlationId);
    assert.equal(records[3].correlationId, records[4].correlationId);
    assert.notEqual(records[0].correlationId, records[3].correlationId);
    assert.deepEqual(records[1].payload, { previous: 'INACTIVE', reason: 'market halt' });
    assert.deepEqual(db.audit.verify(), { ok: true, checked: 5 });
  } finally {
    db.close();
  }
});
