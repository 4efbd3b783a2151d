// Retention ages records by the wall-clock time they were stored, never by the time they are
// about: a paper replay's records carry bar times from the 1990s, and a kill an operator
// activates during a replay must be stamped (and kept) as of today. Real `ordinis paper`
// processes on one real SQLite file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/persistence/database.ts';
import { runCli, startCli } from '../modes/paper/cli-process.ts';
import { tempDir } from '../modes/paper/paper-support.ts';

const PORT_LINE = /"port":(\d+)[^\n]*"msg":"ops API listening"/;

interface AuditRow {
  seq: number;
  kind: string;
  ts: string;
  recorded_at: string | null;
}

function auditRows(path: string): AuditRow[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT seq, kind, ts, recorded_at FROM audit_log ORDER BY seq').all() as AuditRow[];
  } finally {
    db.close();
  }
}

function verifyChain(path: string): { ok: boolean; checked: number } {
  const db = openDatabase({ path, readonly: true });
  try {
    const v = db.audit.verify();
    return { ok: v.ok, checked: v.checked };
  } finally {
    db.close();
  }
}

const inWindow = (iso: string | null, from: number, to: number): boolean => iso !== null && Date.parse(iso) >= from && Date.parse(iso) <= to;

test('three paper starts on one file: the audit log only grows, every record is stamped with the wall clock, and the chain verifies', async (t) => {
  const db = join(tempDir(t), 'three-starts.db');
  const wallFrom = Date.now();
  let previous: AuditRow[] = [];
  for (let start = 1; start <= 3; start++) {
    const r = await runCli(['--log-level', 'warn', 'paper', '--db', db, '--max-cycles', '300', '--json']);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const rows = auditRows(db);
    assert.ok(rows.length > previous.length, `start ${start}: audit rows ${previous.length} -> ${rows.length}`);
    // Nothing written by an earlier start is gone: the first seq never moves.
    assert.equal(rows[0]!.seq, 1, `start ${start}: the log starts at seq ${rows[0]!.seq}`);
    assert.deepEqual(rows.slice(0, previous.length).map((x) => x.seq), previous.map((x) => x.seq));
    previous = rows;
    assert.deepEqual(verifyChain(db), { ok: true, checked: rows.length });
  }
  const wallTo = Date.now();
  // Bar time stays in `ts` (the replay is of 1990s bars); `recorded_at` is when it was written.
  assert.ok(previous.some((x) => x.ts < '2015-01-01'), 'records carry bar times in ts');
  const notWall = previous.filter((x) => !inWindow(x.recorded_at, wallFrom, wallTo));
  assert.deepEqual(notWall, [], 'every recorded_at is the wall-clock time of the write');
});

test('a kill activated over HTTP during paper --serve is stamped with the wall clock and survives the next start', async (t) => {
  const db = join(tempDir(t), 'kill-serve.db');
  const token = 'retention-test-token-0123456789';
  const wallFrom = Date.now();
  const p = startCli(['--log-level', 'info', 'paper', '--db', db, '--speed', '20', '--serve', '--json'], {
    ORDINIS_API_PORT: '0',
    ORDINIS_API_TOKEN: token,
  });
  t.after(() => p.child.kill('SIGKILL'));
  const port = Number((await p.waitFor(PORT_LINE))[1]);
  await p.waitFor(/"msg":"paper runtime started"/);
  const res = await fetch(`http://127.0.0.1:${port}/kill/activate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'retention drill', actor: 'alice' }),
  });
  assert.equal(res.status, 200, await res.text());
  p.child.kill('SIGTERM');
  const f = await p.done;
  assert.equal(f.code, 0, f.stderr.slice(-2000));

  const again = await runCli(['--log-level', 'warn', 'paper', '--db', db, '--max-cycles', '3', '--json']);
  assert.equal(again.code, 0, again.stderr.slice(-2000));
  const wallTo = Date.now();

  const reopened = openDatabase({ path: db, readonly: true });
  t.after(() => reopened.close());
  const kill = reopened.killSwitch.load();
  assert.equal(kill?.state, 'ACTIVE');
  assert.equal(kill?.reason, 'retention drill');
  assert.ok(inWindow(kill!.activatedAt, wallFrom, wallTo), `activated_at ${kill!.activatedAt} is wall-clock time`);
  assert.ok(inWindow(kill!.updatedAt, wallFrom, wallTo), `updated_at ${kill!.updatedAt} is wall-clock time`);
  const activation = auditRows(db).filter((x) => x.kind === 'kill.activate');
  assert.equal(activation.length, 1, 'the activation audit record is still there after the next start');
  assert.ok(inWindow(activation[0]!.recorded_at, wallFrom, wallTo), `recorded_at ${activation[0]!.recorded_at}`);
  assert.equal(auditRows(db)[0]!.seq, 1, 'nothing was purged');
  assert.equal(reopened.audit.verify().ok, true);
});
