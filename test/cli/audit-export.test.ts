// `ordinis audit export` and `ordinis audit verify --file`, as real processes on real files:
// an export holds every hashed field and checks out with no database; consecutive exports
// chain; the export mark moves only after the file is synced; a tampered file is caught
// with the broken seq; an export never overwrites a file, and a broken chain is not exported.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENESIS_HASH } from '../../src/governance/audit-chain.ts';
import { verifyExportLines } from '../../src/governance/audit-export.ts';
import { openDatabase } from '../../src/persistence/database.ts';
import { cli, failsWith, okJson, tempDbPath } from './cli-harness.ts';

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
}

function dbState(path: string): { head: { seq: number; hash: string }; mark: { seq: number; hash: string }; rows: number } {
  const db = openDatabase({ path, readonly: true });
  try {
    const m = db.audit.exportMark();
    return { head: db.audit.head(), mark: { seq: m.seq, hash: m.hash }, rows: db.audit.list({ limit: 1000 }).length };
  } finally {
    db.close();
  }
}

async function paper(db: string, cycles: number): Promise<void> {
  const r = await cli(['--log-level', 'warn', 'paper', '--db', db, '--max-cycles', String(cycles), '--json']);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
}

test('audit export writes the records since the last export, synced, then moves the mark; verify --file checks it alone', async (t) => {
  const { dir, db } = tempDbPath(t);
  await paper(db, 300);
  const first = join(dir, 'first.jsonl');
  const e1 = okJson(await cli(['audit', 'export', '--db', db, '--out', first, '--json']));
  const s1 = dbState(db);
  assert.ok(s1.head.seq > 1, 'the paper run wrote audit records');
  assert.deepEqual(e1.from, { seq: 0, hash: GENESIS_HASH });
  assert.deepEqual(e1.to, s1.head);
  assert.equal(e1.count, s1.head.seq);
  assert.deepEqual(s1.mark, s1.head, 'the mark moved to the last record written');

  // One header, then one line per record with every hashed field, seq, hashPrev, hashSelf.
  const l1 = lines(first);
  assert.equal(l1.length, 1 + s1.head.seq);
  const header = JSON.parse(l1[0]!);
  assert.equal(header.format, 'ordinis.audit.export');
  assert.deepEqual(header.from, { seq: 0, hash: GENESIS_HASH });
  const rec = JSON.parse(l1[1]!);
  assert.deepEqual(Object.keys(rec).sort(), ['action', 'actor', 'component', 'correlationId', 'decision', 'hashPrev', 'hashSelf', 'kind', 'payload', 'policyVersion', 'recordedAt', 'seq', 'subjectRef', 'ts'].sort());
  const stored = openDatabase({ path: db, readonly: true });
  const fromDb = stored.audit.list({ limit: 1000 });
  stored.close();
  assert.deepEqual(l1.slice(1).map((l) => JSON.parse(l).hashSelf), fromDb.map((r) => r.hashSelf));

  // Checked with no database at all (none is named, and the default path does not exist).
  const v1 = okJson(await cli(['audit', 'verify', '--file', first, '--json'], { env: { ORDINIS_DB_PATH: join(dir, 'absent.db') } }));
  assert.equal(v1.ok, true);
  assert.equal(v1.checked, s1.head.seq);
  assert.equal(existsSync(join(dir, 'absent.db')), false);

  // The next export starts where the first ended: the files chain.
  await paper(db, 300);
  const second = join(dir, 'second.jsonl');
  const e2 = okJson(await cli(['audit', 'export', '--db', db, '--out', second, '--json']));
  const s2 = dbState(db);
  assert.deepEqual(e2.from, e1.to);
  assert.deepEqual(e2.to, s2.head);
  assert.equal(e2.count, s2.head.seq - s1.head.seq);
  assert.deepEqual(s2.mark, s2.head);
  assert.equal(okJson(await cli(['audit', 'verify', '--file', second, '--json'])).ok, true);

  // --all: every record still in the database, whatever was exported before.
  const all = join(dir, 'all.jsonl');
  const e3 = okJson(await cli(['audit', 'export', '--db', db, '--out', all, '--all', '--json']));
  assert.deepEqual(e3.from, { seq: 0, hash: GENESIS_HASH });
  assert.equal(e3.count, s2.head.seq);
  assert.equal(verifyExportLines(lines(all)).ok, true);
});

test('audit verify --file names the broken seq of a tampered export and exits 1', async (t) => {
  const { dir, db } = tempDbPath(t);
  await paper(db, 300);
  const good = join(dir, 'good.jsonl');
  okJson(await cli(['audit', 'export', '--db', db, '--out', good, '--json']));
  const l = lines(good);
  assert.ok(l.length >= 4, `${l.length - 1} records exported`);

  // An edited record: the decision of seq 2 rewritten, hashes left alone.
  const edited = join(dir, 'edited.jsonl');
  const rec = JSON.parse(l[2]!);
  rec.decision = rec.decision === 'allow' ? 'deny' : 'allow';
  writeFileSync(edited, [l[0], l[1], JSON.stringify(rec), ...l.slice(3)].join('\n') + '\n');
  const r = await cli(['audit', 'verify', '--file', edited]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /audit export\s+BROKEN at seq 2 \(line 3\)/);
  assert.match(r.stdout, /row edited/);
  assert.match(r.stderr, /^error: E_AUDIT_CHAIN_BROKEN: audit export .*edited\.jsonl broken at seq 2 \(line 3\): /m);

  // A record deleted from the middle, and the last record cut off.
  const deleted = join(dir, 'deleted.jsonl');
  writeFileSync(deleted, [l[0], l[1], ...l.slice(3)].join('\n') + '\n');
  const d = okBroken(await cli(['audit', 'verify', '--file', deleted, '--json']));
  assert.equal(d.brokenAt, 3);
  assert.match(d.reason, /expected seq 2, found 3/);
  const cut = join(dir, 'cut.jsonl');
  writeFileSync(cut, l.slice(0, -1).join('\n') + '\n');
  const c = okBroken(await cli(['audit', 'verify', '--file', cut, '--json']));
  assert.equal(c.brokenAt, l.length - 1);
  assert.match(c.reason, /cut off the end/);

  // Not an export at all.
  const bogus = join(dir, 'bogus.jsonl');
  copyFileSync(join(dir, 'ordinis.db'), bogus);
  const b = await cli(['audit', 'verify', '--file', bogus]);
  assert.equal(b.code, 1);
  assert.match(b.stderr, /E_AUDIT_CHAIN_BROKEN: .*not an audit export header/);
});

function okBroken(r: { code: number; stdout: string; stderr: string }): any {
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^error: E_AUDIT_CHAIN_BROKEN: /m);
  const v = JSON.parse(r.stdout);
  assert.equal(v.ok, false);
  return v;
}

test('audit export never overwrites a file, names a missing directory, and refuses a broken chain without moving the mark', async (t) => {
  const { dir, db } = tempDbPath(t);
  await paper(db, 300);
  const out = join(dir, 'once.jsonl');
  writeFileSync(out, 'an earlier export\n');
  failsWith(await cli(['audit', 'export', '--db', db, '--out', out]), 'E_CFG_INVALID', /--out .*once\.jsonl.* already exists; an export never overwrites/);
  assert.equal(readFileSync(out, 'utf8'), 'an earlier export\n');
  failsWith(await cli(['audit', 'export', '--db', db, '--out', join(dir, 'nope', 'x.jsonl')]), 'E_CFG_INVALID', /directory .*nope does not exist/);
  assert.deepEqual(dbState(db).mark, { seq: 0, hash: GENESIS_HASH });

  // Someone edits a record in the database: the export refuses, writes no file, keeps the mark.
  const raw = openDatabase({ path: db });
  raw.handle.exec('DROP TRIGGER audit_log_no_update');
  raw.handle.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1");
  raw.close();
  const tampered = join(dir, 'tampered.jsonl');
  failsWith(await cli(['audit', 'export', '--db', db, '--out', tampered]), 'E_AUDIT_CHAIN_BROKEN', /broken at seq 1: .*nothing exported/);
  assert.equal(existsSync(tampered), false, 'no partial file is left behind');
  assert.deepEqual(dbState(db).mark, { seq: 0, hash: GENESIS_HASH });
});
