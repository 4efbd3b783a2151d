// `ordinis sweep --queue` and `ordinis worker` with a real Redis (test/support/redis-server.ts)
// and real child processes: two workers take a sweep's backtests, one is SIGKILLed in the
// middle of a job, BullMQ's stalled-job check hands that job to the other, and the sweep ends
// with every result exactly once, equal (bit for bit, ranking included) to a local --jobs 1
// sweep. Then a coordinator killed mid-sweep resumes with --resume and finds the results the
// workers finished meanwhile.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BIN, cleanEnv, cli, failsWith, okJson, ROOT, tempDbPath } from './cli-harness.ts';
import { redisMissing, startRedis } from '../support/redis-server.ts';

const missing = redisMissing();
/** 24 points on the whole sample (~5,000 bars each): long enough to kill a worker mid-job. */
const GRID = ['--grid', 'fast=5:40:5', '--grid', 'slow=50,100,150'];

interface WorkerProcess {
  child: ChildProcess;
  log: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWorker(url: string, cacheDir: string): WorkerProcess {
  const child = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--lock-ms', '1500', '--cache-dir', cacheDir], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, log: () => log, exited };
}

async function until(what: string, ok: () => boolean, ms = 60_000, poll?: () => Promise<unknown>): Promise<void> {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await (poll ? poll() : new Promise((r) => setTimeout(r, 5)));
    if (poll) await new Promise((r) => setTimeout(r, 20));
  }
}

function resultRows(db: string): { index: number; runId: string }[] {
  const h = new Database(db, { readonly: true });
  try {
    return h.prepare('SELECT point_index AS "index", run_id AS runId FROM sweep_results ORDER BY point_index').all() as { index: number; runId: string }[];
  } finally {
    h.close();
  }
}

const jobsStarted = (log: string): string[] => [...log.matchAll(/job (\S+) started/g)].map((m) => m[1]!);
const jobsCompleted = (log: string): string[] => [...log.matchAll(/job (\S+) completed/g)].map((m) => m[1]!);

test('two workers, one SIGKILLed mid-job: its job moves to the other, every result lands once, equal to a local --jobs 1 sweep', { skip: missing }, async (t) => {
  const { url } = await startRedis(t);
  const { dir } = tempDbPath(t);
  const reference = cli(['sweep', '--json', '--jobs', '1', '--db', join(dir, 'local.db'), ...GRID]);
  const a = startWorker(url, join(dir, 'cache-a'));
  const b = startWorker(url, join(dir, 'cache-b'));
  t.after(() => {
    a.child.kill('SIGKILL');
    b.child.kill('SIGKILL');
  });
  await until('both workers ready', () => a.log().includes('taking jobs') && b.log().includes('taking jobs'));
  const db = join(dir, 'queue.db');
  const coordinator = cli(['sweep', '--json', '--queue', url, '--db', db, ...GRID]);
  // Worker A in the middle of its second backtest: killed at once, holding the job's lock.
  await until('worker A on its second job', () => jobsStarted(a.log()).length >= 2);
  a.child.kill('SIGKILL');
  assert.equal((await a.exited).signal, 'SIGKILL');
  const inHand = jobsStarted(a.log()).filter((id) => !jobsCompleted(a.log()).includes(id));
  assert.equal(inHand.length, 1, `worker A held one job when killed\n${a.log()}`);

  const queued = okJson(await coordinator);
  const local = okJson(await reference);
  assert.deepEqual(queued.results, local.results, 'the same results and ranking as a local --jobs 1 sweep');
  assert.equal(queued.sweepId, local.sweepId, 'where it runs is not part of a sweep');
  assert.equal(queued.ran, 24);
  assert.ok(queued.stalledJobs >= 1, `BullMQ found the killed worker's job stalled (${queued.stalledJobs})`);
  // The job A held was run to completion by B.
  assert.ok(jobsCompleted(b.log()).includes(inHand[0]!), `worker B completed ${inHand[0]}\n${b.log()}`);
  // Every point exactly once in the coordinator's SQLite, under its backtest's run id.
  const rows = resultRows(db);
  assert.deepEqual(rows.map((r) => r.index), Array.from({ length: 24 }, (_, i) => i));
  assert.equal(new Set(rows.map((r) => r.runId)).size, 24);
  for (const r of local.results) assert.equal(rows[r.index]!.runId, r.runId);

  // A second sweep of the same backtests in another file: the queue's jobs are done, so no
  // worker runs anything again (job id = run id), and the results are the same.
  const before = jobsStarted(b.log()).length;
  const again = okJson(await cli(['sweep', '--json', '--queue', url, '--db', join(dir, 'again.db'), ...GRID]));
  assert.deepEqual(again.results, local.results);
  assert.equal(jobsStarted(b.log()).length, before, 'no backtest ran twice');

  b.child.kill('SIGTERM');
  assert.deepEqual(await b.exited, { code: 0, signal: null }, 'a worker stops cleanly on SIGTERM');
  assert.match(b.log(), /stopped\n$/);
});

test('a coordinator killed mid-sweep resumes with --resume --queue and takes the results finished meanwhile', { skip: missing }, async (t) => {
  const { url } = await startRedis(t);
  const { dir } = tempDbPath(t);
  const w = startWorker(url, join(dir, 'cache'));
  t.after(() => w.child.kill('SIGKILL'));
  await until('the worker ready', () => w.log().includes('taking jobs'));
  const db = join(dir, 'queue.db');
  const grid = ['--grid', 'fast=5:40:5', '--grid', 'slow=50,100'];
  const coordinator = spawn(process.execPath, [BIN, 'sweep', '--json', '--queue', url, '--db', db, ...grid], { cwd: ROOT, env: cleanEnv(), stdio: 'ignore' });
  const gone = new Promise((r) => coordinator.once('exit', r));
  await until('a few results stored', () => existsSync(db) && (() => { try { return resultRows(db).length >= 2; } catch { return false; } })());
  coordinator.kill('SIGKILL');
  await gone;
  const stored = resultRows(db).length;
  // The worker goes on with the queued jobs while no coordinator listens.
  await until('the worker done with all 16', () => new Set(jobsCompleted(w.log())).size >= 16);
  const sweepId = new Database(db, { readonly: true }).prepare('SELECT sweep_id FROM sweeps').pluck().get() as string;
  const started = jobsStarted(w.log()).length;
  const resumed = okJson(await cli(['sweep', '--resume', sweepId, '--json', '--queue', url, '--db', db]));
  assert.equal(resumed.ran, 16 - stored);
  assert.equal(jobsStarted(w.log()).length, started, 'the finished jobs were read back, not run again');
  const local = okJson(await cli(['sweep', '--json', '--jobs', '1', '--db', join(dir, 'local.db'), ...grid]));
  assert.deepEqual(resumed.results, local.results);
  assert.equal(resultRows(db).length, 16);
});

test('a job a worker cannot run fails the sweep (E_SWEEP_JOB_FAILED); --resume queues the failed jobs again and completes', { skip: missing }, async (t) => {
  const { url } = await startRedis(t);
  const { dir } = tempDbPath(t);
  const zod = pathToFileURL(join(ROOT, 'node_modules', 'zod', 'index.js')).href;
  const file = join(dir, 'ema.ts');
  const pack = (period: number): string => `import { z } from ${JSON.stringify(zod)};
export default {
  id: 'my-ema',
  version: '1.0.0',
  params: z.object({ period: z.coerce.number().int().min(2).default(${period}) }).strict(),
  features: (p: { period: number }) => [{ kind: 'ema', name: 'ema', period: p.period }, { kind: 'crossover', name: 'cross', a: 'close', b: 'ema' }],
  decide: (v: any) => (v.features.cross === 1 ? { direction: 'LONG', reason: 'up' } : v.features.cross === -1 ? { direction: 'FLAT', reason: 'down' } : null),
};
`;
  writeFileSync(file, pack(10));
  const args = ['--strategy', file, '--data', join(ROOT, 'samples', 'orcl-1995-2014.txt'), '--symbols', 'ORCL', '--from', '2010-01-01', '--to', '2012-12-31', '--grid', 'period=5,10,20'];
  const local = okJson(await cli(['sweep', '--json', '--jobs', '1', '--db', join(dir, 'local.db'), ...args]));
  // The coordinator queues the jobs with no worker yet; then the file changes under it.
  const db = join(dir, 'queue.db');
  const coordinator = cli(['sweep', '--json', '--queue', url, '--db', db, ...args]);
  const queue = new Queue('ordinis-backtests', { connection: { url } });
  t.after(() => queue.close());
  let waiting = 0;
  await until('three jobs waiting', () => waiting === 3, 60_000, async () => (waiting = (await queue.getJobCounts('waiting')).waiting ?? 0));
  writeFileSync(file, pack(11));
  const w = startWorker(url, join(dir, 'cache'));
  t.after(() => w.child.kill('SIGKILL'));
  failsWith(await coordinator, 'E_SWEEP_JOB_FAILED', /failed in its worker: .*strategy file .*ema\.ts changed since the sweep began/);
  // The code back as the sweep began: the resumed sweep runs the failed jobs again.
  writeFileSync(file, pack(10));
  const sweepId = new Database(db, { readonly: true }).prepare('SELECT sweep_id FROM sweeps').pluck().get() as string;
  const resumed = okJson(await cli(['sweep', '--resume', sweepId, '--json', '--queue', url, '--db', db]));
  assert.deepEqual(resumed.results, local.results);
  assert.equal(resultRows(db).length, 3);
});

test('--queue: a bad URL or an unreachable Redis is refused naming it, and no database is created', async (t) => {
  const { dir } = tempDbPath(t);
  const db = join(dir, 'never.db');
  const [bad, down, jobs] = await Promise.all([
    cli(['sweep', '--db', db, '--queue', 'http://127.0.0.1:6379', ...GRID]),
    cli(['sweep', '--db', db, '--queue', 'redis://127.0.0.1:1', ...GRID]),
    cli(['sweep', '--db', db, '--queue', 'redis://127.0.0.1:1', '--jobs', '2', ...GRID]),
  ]);
  failsWith(bad, 'E_CFG_INVALID', /--queue "http:\/\/127\.0\.0\.1:6379": expected redis:\/\/HOST:PORT/);
  failsWith(down, 'E_QUEUE_UNAVAILABLE', /--queue redis:\/\/127\.0\.0\.1:1: Redis cannot be reached \(connect ECONNREFUSED/);
  assert.doesNotMatch(down.stderr, /Unhandled error event/);
  failsWith(jobs, 'E_CFG_INVALID', /--jobs sets the threads of a local sweep/);
  assert.equal(existsSync(db), false);
});
