// `ordinis sweep` through the real CLI (child processes), real SQLite files and real worker
// threads: results bit-identical with one thread and several, each equal to the single
// `ordinis backtest` run with the same flags (run id included); a sweep SIGKILLed mid-way
// resumes with --resume, running only the points that had no result, and ends equal to an
// uninterrupted one; a strategy file runs in the pool's threads; bad input is refused
// before anything is written.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { BIN, cleanEnv, cli, failsWith, okJson, okText, ROOT, tempDbPath } from './cli-harness.ts';

const SAMPLE = join(ROOT, 'samples', 'orcl-1995-2014.txt');
const SHORT = ['--data', SAMPLE, '--symbols', 'ORCL', '--from', '2010-01-01', '--to', '2011-12-31'];
const SAMPLE_2000 = ['--data', SAMPLE, '--symbols', 'ORCL', '--from', '2000-01-01', '--to', '2003-12-31'];
/** Six points, two of them refused by the pack (fast must be less than slow). */
const GRID = ['--grid', 'fast=5,10,30', '--grid', 'slow=20,30'];

function rows(db: string): { sweeps: number; results: number; runIds: (string | null)[] } {
  const h = new Database(db, { readonly: true });
  try {
    const sweeps = h.prepare('SELECT count(*) FROM sweeps').pluck().get() as number;
    const runIds = h.prepare('SELECT run_id FROM sweep_results ORDER BY sweep_id, point_index').pluck().all() as (string | null)[];
    return { sweeps, results: runIds.length, runIds };
  } finally {
    h.close();
  }
}

test('--jobs 1 and --jobs 3 give bit-identical results, each that of `ordinis backtest` with the same flags', async (t) => {
  const { dir } = tempDbPath(t);
  const [one, three, single, refused] = await Promise.all([
    cli(['sweep', '--json', '--jobs', '1', '--db', join(dir, 'one.db'), ...SHORT, ...GRID]),
    cli(['sweep', '--json', '--jobs', '3', '--db', join(dir, 'three.db'), ...SHORT, ...GRID]),
    cli(['backtest', '--json', '--db', join(dir, 'bt.db'), ...SHORT, '--fast', '10', '--slow', '30']),
    cli(['backtest', '--json', '--db', join(dir, 'bt2.db'), ...SHORT, '--fast', '30', '--slow', '20']),
  ]);
  const a = okJson(one);
  const b = okJson(three);
  assert.deepEqual(b.results, a.results, 'the same results, in the same ranking, whatever --jobs');
  assert.equal(a.sweepId, b.sweepId, 'the same definition, the same sweep id');
  assert.match(a.sweepId, /^sw-[0-9a-f]{12}$/);
  assert.equal(a.points, 6);
  assert.equal(a.ran, 6);
  assert.equal(a.objective, 'sharpe');
  // Ranked best first by Sharpe ratio; the refused points (fast >= slow) last.
  const ok = a.results.filter((r: any) => r.status === 'ok');
  assert.equal(ok.length, 4);
  for (let i = 1; i < ok.length; i++) assert.ok(ok[i - 1].sharpe >= ok[i].sharpe, 'best first');
  assert.deepEqual(a.results.slice(4).map((r: any) => r.status), ['failed', 'failed']);

  const bt = okJson(single);
  const point = a.results.find((r: any) => r.params.fast === 10 && r.params.slow === 30);
  assert.deepEqual(
    { runId: point.runId, finalValue: point.finalValue, totalReturnPct: point.totalReturnPct, maxDrawdownPct: point.maxDrawdownPct, sharpe: point.sharpe, trades: point.trades, kpis: point.kpis },
    { runId: bt.runId, finalValue: bt.finalValue, totalReturnPct: bt.totalReturnPct, maxDrawdownPct: bt.maxDrawdownPct, sharpe: bt.kpis.sharpe, trades: bt.trades, kpis: bt.kpis },
  );
  // A point the pack refuses is a result saying why, as `ordinis backtest` refuses it.
  const no = a.results.find((r: any) => r.params.fast === 30 && r.params.slow === 20);
  const line = failsWith(refused, 'E_CFG_INVALID', /fast must be less than slow/);
  assert.equal(no.error.code, 'E_CFG_INVALID');
  assert.ok(line.includes(no.error.message), `${line} / ${no.error.message}`);
  assert.match(no.runId, /^bt-[0-9a-f]{12}$/);

  const stored = rows(join(dir, 'three.db'));
  assert.deepEqual({ sweeps: stored.sweeps, results: stored.results }, { sweeps: 1, results: 6 });
  assert.ok(stored.runIds.includes(bt.runId));
});

test('as `ordinis backtest`: the dev profile (no drawdown guard) unless one is chosen, and --warmup-mode', async (t) => {
  const { dir } = tempDbPath(t);
  // All in on ORCL 2000-2003: a drawdown far past the paper profile's 20% guard.
  const allIn = [...SAMPLE_2000, '--weight', '1'];
  const two = ['--data', SAMPLE, '--data', join(ROOT, 'samples', 'yhoo-1996-2014.txt'), '--symbols', 'ORCL,YHOO', '--from', '2010-01-01', '--to', '2011-12-31', '--warmup-mode', 'common'];
  const [sweep, bt, sweepTwo, btTwo] = await Promise.all([
    cli(['sweep', '--json', '--jobs', '2', '--db', join(dir, 's.db'), ...allIn, '--grid', 'fast=10,20', '--grid', 'slow=50']),
    cli(['backtest', '--json', '--db', join(dir, 'b.db'), ...allIn, '--fast', '20', '--slow', '50']),
    cli(['sweep', '--json', '--jobs', '2', '--db', join(dir, 's2.db'), ...two, '--grid', 'fast=10,20', '--grid', 'slow=50']),
    cli(['backtest', '--json', '--db', join(dir, 'b2.db'), ...two, '--fast', '20', '--slow', '50']),
  ]);
  const b = okJson(bt);
  assert.ok(b.maxDrawdownPct > 20, `a drawdown past the paper guard (${b.maxDrawdownPct}%)`);
  const p = okJson(sweep).results.find((r: any) => r.params.fast === 20);
  assert.deepEqual([p.runId, p.finalValue, p.maxDrawdownPct], [b.runId, b.finalValue, b.maxDrawdownPct]);
  const b2 = okJson(btTwo);
  const p2 = okJson(sweepTwo).results.find((r: any) => r.params.fast === 20);
  assert.deepEqual([p2.runId, p2.finalValue, p2.kpis], [b2.runId, b2.finalValue, b2.kpis]);
});

test('the table: ranked rows with the parameters, the sweep id first; the same sweep again is a new sweep', async (t) => {
  const { db } = tempDbPath(t);
  const first = okText(await cli(['sweep', '--jobs', '2', '--db', db, '--objective', 'calmar', '--top', '2', ...SHORT, ...GRID]));
  const lines = first.split('\n');
  assert.match(lines[0]!, /^sweep\s+sw-[0-9a-f]{12}$/);
  assert.match(first, /points\s+6\/6 done \(6 run now, 2 failed or refused\)/);
  const header = lines.find((l) => l.startsWith('#'))!;
  assert.match(header, /^#\s+fast\s+slow\s+calmar\s+return\s+max-drawdown\s+sharpe\s+trades\s+final-value\s+run$/);
  assert.match(first, /\(4 more: --top N, or --json\)/);
  const report = join(dirname(db), 'sweep.html');
  const again = okJson(await cli(['sweep', '--json', '--jobs', '2', '--db', db, '--objective', 'calmar', '--report', report, ...SHORT, ...GRID]));
  const html = readFileSync(report, 'utf8');
  assert.equal(html.match(/<rect /g)?.length, 6, 'a heatmap cell per point');
  assert.match(html, /calmar by fast × slow/);
  assert.equal(html.match(/<svg /g)?.length, 1 + 4, 'the heatmap and the 4 runs that ran (up to 5)');
  assert.equal(again.sweepId, `${lines[0]!.split(/\s+/)[1]}-2`);
  assert.equal(rows(db).sweeps, 2);
});

test('a sweep SIGKILLed mid-way resumes with --resume: done points are not run again, and the end equals an uninterrupted sweep', async (t) => {
  const { dir } = tempDbPath(t);
  const killedDb = join(dir, 'killed.db');
  // 24 points on the whole sample: long enough to stop in the middle.
  const grid = ['--grid', 'fast=5:40:5', '--grid', 'slow=50,100,150'];
  const reference = cli(['sweep', '--json', '--jobs', '1', '--db', join(dir, 'ref.db'), ...grid]);
  const child = spawn(process.execPath, [BIN, 'sweep', '--json', '--jobs', '2', '--db', killedDb, ...grid], { cwd: ROOT, env: cleanEnv(), stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
  let before = 0;
  for (let i = 0; i < 600 && before < 3; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (existsSync(killedDb)) {
      try {
        before = rows(killedDb).results;
      } catch {
        // The schema is still being created.
      }
    }
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  before = rows(killedDb).results;
  assert.ok(before >= 3 && before < 24, `stopped mid-way (${before} of 24 done)`);

  const sweepId = new Database(killedDb, { readonly: true }).prepare('SELECT sweep_id FROM sweeps').pluck().get() as string;
  // --resume takes the sweep's own definition: the flags that would change it are refused.
  failsWith(await cli(['sweep', '--resume', sweepId, '--db', killedDb, '--grid', 'fast=1,2']), 'E_CFG_INVALID', /--resume runs the sweep as it was defined; --grid/);
  const resumed = okJson(await cli(['sweep', '--resume', sweepId, '--json', '--jobs', '2', '--db', killedDb]));
  assert.equal(resumed.sweepId, sweepId);
  assert.equal(resumed.ran, 24 - before, 'only the points without a result ran');
  const ref = okJson(await reference);
  assert.deepEqual(resumed.results, ref.results);
  assert.equal(rows(killedDb).results, 24);
  // Resuming a finished sweep runs nothing and prints the same ranking.
  const again = okJson(await cli(['sweep', '--resume', sweepId, '--json', '--db', killedDb]));
  assert.equal(again.ran, 0);
  assert.deepEqual(again.results, ref.results);
});

test('a strategy file runs in the pool threads: --jobs 2 equals --jobs 1, and the run id is that of `ordinis backtest`', async (t) => {
  const { dir } = tempDbPath(t);
  const zod = pathToFileURL(join(ROOT, 'node_modules', 'zod', 'index.js')).href;
  const file = join(dir, 'ema.ts');
  writeFileSync(
    file,
    `import { z } from ${JSON.stringify(zod)};
const period: number = 10;
export default {
  id: 'my-ema',
  version: '1.0.0',
  params: z.object({ period: z.coerce.number().int().min(2).default(period) }).strict(),
  features: (p: { period: number }) => [
    { kind: 'ema', name: 'ema', period: p.period },
    { kind: 'crossover', name: 'cross', a: 'close', b: 'ema' },
  ],
  decide: (v: any) => (v.features.cross === 1 ? { direction: 'LONG', reason: 'up' } : v.features.cross === -1 ? { direction: 'FLAT', reason: 'down' } : null),
};
`,
  );
  const args = ['--strategy', file, ...SHORT, '--grid', 'period=5,10,20,1'];
  const [one, two, single] = await Promise.all([
    cli(['sweep', '--json', '--jobs', '1', '--db', join(dir, 'one.db'), ...args]),
    cli(['sweep', '--json', '--jobs', '2', '--db', join(dir, 'two.db'), ...args]),
    cli(['backtest', '--json', '--db', join(dir, 'bt.db'), '--strategy', file, ...SHORT, '--param', 'period=20']),
  ]);
  const a = okJson(one);
  assert.deepEqual(okJson(two).results, a.results);
  const bt = okJson(single);
  const p20 = a.results.find((r: any) => r.params.period === 20);
  assert.equal(p20.runId, bt.runId);
  assert.equal(p20.finalValue, bt.finalValue);
  assert.ok(p20.trades > 0);
  const p1 = a.results.find((r: any) => r.params.period === 1);
  assert.equal(p1.status, 'failed');
  assert.match(p1.error.message, /strategy file .*ema\.ts/);
});

test('bad input is refused naming it, exit 1, and no database is created', async (t) => {
  const { dir } = tempDbPath(t);
  const db = join(dir, 'never.db');
  const runs = await Promise.all([
    cli(['sweep', '--db', db, ...SHORT]),
    cli(['sweep', '--db', db, ...SHORT, '--grid', 'fast=5:50']),
    cli(['sweep', '--db', db, ...SHORT, ...GRID, '--objective', 'luck']),
    cli(['sweep', '--db', db, ...SHORT, ...GRID, '--jobs', '0']),
    cli(['sweep', '--db', db, ...SHORT, ...GRID, '--fast', '10']),
    cli(['sweep', '--db', db, ...GRID, '--data', join(dir, 'missing.csv')]),
    cli(['sweep', '--db', db, ...SHORT, '--grid', 'period=5,10']),
    cli(['sweep', '--db', db, '--resume', 'sw-000000000000']),
    cli(['sweep', '--db', db, ...SHORT, ...GRID, '--report', join(dir, 'no-such-dir', 'r.html')]),
  ]);
  failsWith(runs[0]!, 'E_CFG_INVALID', /at least one --grid/);
  failsWith(runs[1]!, 'E_CFG_INVALID', /--grid "fast=5:50": a range is from:to:step/);
  failsWith(runs[2]!, 'E_CFG_INVALID', /--objective "luck"/);
  failsWith(runs[3]!, 'E_CFG_INVALID', /--jobs "0"/);
  failsWith(runs[4]!, 'E_CFG_INVALID', /--grid fast sweeps a parameter also given as a flag \(--fast\)/);
  failsWith(runs[5]!, 'E_CFG_INVALID', /--data .*missing\.csv: cannot be read/);
  failsWith(runs[6]!, 'E_CFG_INVALID', /--period does not apply to --strategy sma-cross/);
  failsWith(runs[7]!, 'E_SWEEP_NOT_FOUND', /--resume sw-000000000000: no sweep by that id/);
  failsWith(runs[8]!, 'E_CFG_INVALID', /--report .*r\.html: its directory .* does not exist/);
  assert.equal(existsSync(db), false);
});
