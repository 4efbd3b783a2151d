// `ordinis walkforward` through the real CLI: each window's parameters are the best of
// `ordinis sweep` over its in-sample dates, its out-of-sample run is `ordinis backtest` of
// them over the out-of-sample dates (run id and value), the stitched value compounds the
// windows, and --jobs does not change a thing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cli, failsWith, okJson, okText, ROOT, tempDbPath } from './cli-harness.ts';

const SAMPLE = join(ROOT, 'samples', 'orcl-1995-2014.txt');
const DATA = ['--data', SAMPLE, '--symbols', 'ORCL'];
const WF = [...DATA, '--from', '2008-01-01', '--to', '2012-12-31', '--grid', 'fast=5,10', '--grid', 'slow=30,50', '--in-sample', '2y', '--out-of-sample', '1y'];

test('walkforward: windows optimised in sample, run out of sample as `ordinis backtest` runs them, stitched; --jobs 1 = --jobs 2', async (t) => {
  const { dir } = tempDbPath(t);
  const [one, two] = await Promise.all([
    cli(['walkforward', '--json', '--jobs', '1', '--db', join(dir, 'one.db'), ...WF]),
    cli(['walkforward', '--json', '--jobs', '2', '--db', join(dir, 'two.db'), ...WF]),
  ]);
  const a = okJson(one);
  assert.deepEqual(okJson(two), a);
  assert.equal(a.objective, 'sharpe');
  assert.deepEqual(
    a.windows.map((w: any) => [w.inSample.from, w.inSample.to, w.outOfSample.from, w.outOfSample.to]),
    [
      ['2008-01-02', '2010-01-01', '2010-01-02', '2011-01-01'],
      ['2009-01-02', '2011-01-01', '2011-01-02', '2012-01-01'],
      ['2010-01-02', '2012-01-01', '2012-01-02', '2012-12-31'],
    ],
  );
  const w = a.windows[1];
  const [sweep, oos] = await Promise.all([
    cli(['sweep', '--json', '--jobs', '1', '--db', join(dir, 's.db'), ...DATA, '--from', w.inSample.from, '--to', w.inSample.to, '--grid', 'fast=5,10', '--grid', 'slow=30,50']),
    cli(['backtest', '--json', '--db', join(dir, 'b.db'), ...DATA, '--from', w.outOfSample.from, '--to', w.outOfSample.to, '--fast', String(w.params.fast), '--slow', String(w.params.slow)]),
  ]);
  const best = okJson(sweep).results[0];
  assert.equal(okJson(sweep).sweepId, w.sweepId, 'the in-sample sweep is the sweep of those dates');
  assert.deepEqual(best.params, w.params);
  assert.equal(best.sharpe, w.inSampleObjective);
  const bt = okJson(oos);
  assert.equal(w.outOfSampleRun.runId, bt.runId);
  assert.equal(w.outOfSampleRun.finalValue, bt.finalValue);
  assert.equal(w.outOfSampleObjective, bt.kpis.sharpe);
  assert.equal(w.gap, w.inSampleObjective - w.outOfSampleObjective);
  // Each window compounds on the last.
  let carry = 100_000;
  for (const x of a.windows) carry = x.outOfSampleRun.finalValue * (carry / 100_000);
  assert.equal(a.stitched.finalValue, carry);
  assert.equal(a.stitched.trades, a.windows.reduce((n: number, x: any) => n + x.outOfSampleRun.trades, 0));
  assert.equal(a.stitched.equity.at(-1)[1], carry);
  assert.ok(a.stitched.equity.every((p: [number, number], i: number, all: [number, number][]) => i === 0 || p[0] > all[i - 1]![0]), 'one curve in time order');
});

test('walkforward: the readable table, and bad spans refused', async (t) => {
  const { dir } = tempDbPath(t);
  const [table, bad, short] = await Promise.all([
    cli(['walkforward', '--jobs', '2', '--db', join(dir, 'a.db'), ...WF]),
    cli(['walkforward', '--db', join(dir, 'b.db'), ...WF, '--step', '1w']),
    cli(['walkforward', '--db', join(dir, 'c.db'), ...DATA, '--from', '2012-01-01', '--to', '2012-12-31', '--grid', 'fast=5,10']),
  ]);
  const text = okText(table);
  assert.match(text.split('\n')[0]!, /^#\s+in-sample\s+out-of-sample\s+fast\s+slow\s+IS sharpe\s+OOS sharpe\s+gap\s+OOS return\s+trades\s+sweep$/);
  assert.match(text, /^1\s+2008-01-02\.\.2010-01-01\s+2010-01-02\.\.2011-01-01\s+/m);
  assert.match(text, /^stitched\s+\d+\.\d\d\s+\(return /m);
  assert.match(text, /^objective\s+sharpe: in-sample -?\d\.\d{4}, out-of-sample -?\d\.\d{4}, gap -?\d\.\d{4}/m);
  failsWith(bad, 'E_CFG_INVALID', /--step "1w"/);
  failsWith(short, 'E_CFG_INVALID', /too short for one walk-forward window/);
});
