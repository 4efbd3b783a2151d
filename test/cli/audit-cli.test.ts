// `ordinis audit verify` on an intact chain, an edited record and a truncated tail. The
// tampering is what someone with write access to the file can do: drop the triggers, then
// rewrite rows through better-sqlite3.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../src/persistence/database.ts';
import { auditInput } from '../persistence/temp-database.ts';
import { cli, failsWith, okJson, okText, tempDbPath } from './cli-harness.ts';

function dropAuditTriggers(handle: Database.Database): void {
  const names = handle
    .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit_%'")
    .pluck()
    .all() as string[];
  assert.ok(names.length >= 5);
  for (const name of names) handle.exec(`DROP TRIGGER "${name}"`);
}

/** A database with `n` chained audit records; `tamper` then runs on its raw handle. */
function auditDb(path: string, n: number, tamper?: (h: Database.Database) => void): void {
  const db = openDatabase({ path });
  try {
    for (let i = 1; i <= n; i++) db.audit.append(auditInput(i));
    if (tamper) {
      dropAuditTriggers(db.handle);
      tamper(db.handle);
    }
  } finally {
    db.close();
  }
}

test('audit verify: OK with the checked count on an intact chain (and an empty one), exit 0', async (t) => {
  const { dir, db: intact } = tempDbPath(t);
  const empty = `${dir}/empty.db`;
  auditDb(intact, 4);
  auditDb(empty, 0);
  const [json, text, emptyJson] = await Promise.all([
    cli(['audit', 'verify', '--db', intact, '--json']),
    cli(['audit', 'verify', '--db', intact]),
    cli(['audit', 'verify', '--json'], { env: { ORDINIS_DB_PATH: empty } }),
  ]);
  const v = okJson(json);
  assert.equal(v.ok, true);
  assert.equal(v.checked, 4);
  assert.equal(v.head.seq, 4);
  assert.match(v.head.hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(v.anchor, { seq: 0, hash: '0'.repeat(64) });
  assert.equal('brokenAt' in v, false);
  const out = okText(text);
  assert.match(out, /^audit chain\s+OK$/m);
  assert.match(out, /^checked\s+4 records$/m);
  assert.match(out, new RegExp(`^head\\s+seq 4  ${v.head.hash}$`, 'm'));
  assert.equal(text.stderr, '');
  assert.deepEqual(okJson(emptyJson).checked, 0);
});

test('audit verify: a tampered database is BROKEN at the right seq with the reason, exit 1', async (t) => {
  const { dir, db: edited } = tempDbPath(t);
  const truncated = `${dir}/truncated.db`;
  auditDb(edited, 5, (h) => h.prepare('UPDATE audit_log SET payload_json = ? WHERE seq = 3').run(JSON.stringify({ symbol: 'AAPL', qty: 999 })));
  auditDb(truncated, 5, (h) => h.prepare('DELETE FROM audit_log WHERE seq = 5').run());

  const [json, text, trunc] = await Promise.all([
    cli(['audit', 'verify', '--db', edited, '--json']),
    cli(['audit', 'verify', '--db', edited]),
    cli(['audit', 'verify', '--db', truncated, '--json']),
  ]);
  // The verdict is still on stdout (one JSON value), the error line on stderr, exit 1.
  failsWith(json, 'E_AUDIT_CHAIN_BROKEN', /audit chain broken at seq 3: hash_self does not match the record content \(row edited\)/, { stdout: 'any' });
  const v = JSON.parse(json.stdout);
  assert.equal(json.stdout.trimEnd().split('\n').length, 1);
  assert.equal(v.ok, false);
  assert.equal(v.checked, 2);
  assert.equal(v.brokenAt, 3);
  assert.match(v.reason, /row edited/);

  failsWith(text, 'E_AUDIT_CHAIN_BROKEN', /broken at seq 3/, { stdout: 'any' });
  assert.match(text.stdout, /^audit chain\s+BROKEN at seq 3$/m);
  assert.match(text.stdout, /^reason\s+hash_self does not match the record content \(row edited\)$/m);
  assert.match(text.stdout, /^checked\s+2 records$/m);

  failsWith(trunc, 'E_AUDIT_CHAIN_BROKEN', /broken at seq 5: the log ends at seq 4 but the head records seq 5 \(tail truncated\)/, { stdout: 'any' });
  assert.deepEqual([JSON.parse(trunc.stdout).ok, JSON.parse(trunc.stdout).brokenAt], [false, 5]);
});
