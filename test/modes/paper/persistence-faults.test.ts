// Loud persistence faults, with real processes and real files (issue 11, items 9 and 10).
//
// Disk full: `ordinis paper` runs on a database in a tmpfs of a few hundred KiB, mounted in a
// private mount namespace of the child (`unshare -m`, or `-rm` without root), so every write
// past its size fails with ENOSPC and SQLite answers SQLITE_FULL: the real error path, not a
// simulated one. The run must stop with a non-zero exit saying why, and the files (copied out
// of the namespace before it goes) must hold an intact database: integrity_check ok, the
// audit chain verifying, and a restart with room to write recovering and trading on.
//
// Wal-index truncated: the `-shm` file SQLite keeps memory-mapped is truncated under a running
// `ordinis paper`. Touching the mapping would kill the process with SIGBUS; it must end with
// an error and an exit code instead, and leave the database intact.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../../src/persistence/database.ts';
import { BIN, ROOT, childEnv, runCli, startCli, type Finished } from './cli-process.ts';
import { assertBooksSound, readBooks, tempDir } from './paper-support.ts';

const PAPER_ARGS = ['--log-level', 'warn', 'paper', '--fast', '5', '--slow', '15', '--qty', '10', '--cash', '10000'];

/** How this machine lets a child mount a tmpfs of its own: `unshare -m` as root, `-rm` in a user namespace; undefined if neither works. */
function unshareArgs(probeDir: string): string[] | undefined {
  for (const args of [['-m'], ['-r', '-m']]) {
    const r = spawnSync('unshare', [...args, 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$1"', 'sh', probeDir], { encoding: 'utf8' });
    if (r.status === 0) return args;
  }
  return undefined;
}

/** `ordinis paper` on `<mount>/paper.db`, a tmpfs of `sizeKb` KiB; the files are copied to `out` when it ends. */
function paperOnFullDisk(unshare: string[], mount: string, out: string, sizeKb: number, env: Record<string, string>): Promise<Finished> {
  const script = [
    'mount -t tmpfs -o size="$1"k tmpfs "$2" || exit 97',
    'shift 3',
    '"$@"',
    'rc=$?',
    'cp -a "$MOUNT"/. "$OUT"/',
    'exit $rc',
  ].join('\n');
  const child = spawn(
    'unshare',
    [...unshare, 'sh', '-c', script, 'sh', String(sizeKb), mount, out, process.execPath, BIN, ...PAPER_ARGS, '--db', join(mount, 'paper.db')],
    { cwd: ROOT, env: { ...childEnv(env), MOUNT: mount, OUT: out }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

function integrityOf(path: string): string {
  const db = openDatabase({ path });
  try {
    return (db.handle.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

test('disk full: paper stops after N consecutive failed cycles with a non-zero exit and the cause; the database stays intact', async (t) => {
  const dir = tempDir(t, 'ordinis-diskfull-');
  const mount = join(dir, 'mnt');
  const out = join(dir, 'out');
  mkdirSync(mount);
  mkdirSync(out);
  const unshare = unshareArgs(mount);
  if (!unshare) {
    t.skip('cannot mount a tmpfs in a private mount namespace here (unshare -m / -rm refused); a full disk cannot be made for real');
    return;
  }

  const f = await paperOnFullDisk(unshare, mount, out, 768, { ORDINIS_ORCH_MAX_CONSECUTIVE_PERSISTENCE_FAILURES: '4' });
  assert.notEqual(f.code, 97, `the tmpfs could not be mounted: ${f.stderr}`);
  assert.equal(f.signal, null);
  assert.equal(f.code, 1, `expected exit 1; stdout:\n${f.stdout}\nstderr:\n${f.stderr.slice(-3000)}`);
  assert.match(f.stderr, /error: E_ORCH_PERSISTENCE_FAILED: 4 consecutive cycles could not be persisted \(ORCH_MAX_CONSECUTIVE_PERSISTENCE_FAILURES=4\); stopping; last: .*database or disk is full/);
  assert.match(f.stderr, /"sqliteCode":"SQLITE_FULL"/);
  assert.match(f.stdout, /\(failed: database writes failing\)/);
  // It stopped soon after the disk filled, not at the end of the data (5036 bars).
  const cycles = /cycles\s+(\d+) \(ok (\d+),/.exec(f.stdout);
  assert.ok(cycles, f.stdout);
  assert.ok(Number(cycles[2]) > 0, 'some cycles were recorded before the disk filled');
  assert.ok(Number(cycles[1]) < 200, cycles[0]);

  // The files as the process left them: an intact database with a verifying audit chain.
  const db = join(out, 'paper.db');
  assert.ok(existsSync(db), `copied files: ${readdirSync(out).join(', ')}`);
  assert.equal(integrityOf(db), 'ok');
  assert.equal(readBooks(db).audit.ok, true);

  // With room to write again, the same command recovers and trades on, and the books agree.
  const again = await runCli([...PAPER_ARGS, '--db', db, '--max-cycles', '200']);
  assert.equal(again.code, 0, again.stderr.slice(-3000));
  assertBooksSound(readBooks(db));
});

test('wal-index truncated under a running paper: an error and exit 1, not SIGBUS; the database stays intact', async (t) => {
  const dir = tempDir(t, 'ordinis-shm-');
  const db = join(dir, 'paper.db');
  // 20 bars a second: cycles are short and far apart, so the truncation lands between two
  // of them (inside one, between the guard's look and SQLite's access, nothing can help).
  const run = startCli(['--log-level', 'info', ...PAPER_ARGS.slice(2), '--speed', '20', '--db', db]);
  await run.waitFor(/paper runtime started/);
  await new Promise((r) => setTimeout(r, 1500));
  truncateSync(`${db}-shm`, 0);
  const f = await run.done;
  assert.equal(f.signal, null, `the process died of ${f.signal}; stderr:\n${f.stderr.slice(-2000)}`);
  assert.equal(f.code, 1, f.stderr.slice(-3000));
  assert.match(f.stderr, /error: E_ORCH_PERSISTENCE_FAILED: a database fault that retrying cannot fix; stopping; last: E_DB_UNAVAILABLE: wal-index .*paper\.db-shm was truncated from \d+ to 0 bytes/);
  assert.match(f.stdout, /\(failed: database writes failing\)/);

  assert.equal(integrityOf(db), 'ok');
  assert.equal(readBooks(db).audit.ok, true);
  const again = await runCli([...PAPER_ARGS, '--db', db, '--max-cycles', '50']);
  assert.equal(again.code, 0, again.stderr.slice(-3000));
  assertBooksSound(readBooks(db));
});
