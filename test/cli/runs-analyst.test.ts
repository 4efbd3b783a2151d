// `runs list | show | compare` as an analyst reads them, against two real backtests written
// by `ordinis backtest` into one SQLite file: strategy, parameters, symbols, return and Sharpe
// per backtest with its cycles beneath it, wall-clock start and duration (not the years of
// bars), the run's configuration, and two runs side by side with what differs marked.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, columnOf, failsWith, okJson, okText } from './cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'ordinis-cli-runs-analyst-'));
const DB = join(dir, 'runs.db');
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

interface Bt { runId: string; totalReturnPct: number; kpis: { sharpe: number | null }; bars: number; cycles: Record<string, number> }
let fast: Bt;
let slow: Bt;
let before1: number;
let after2: number;

before(async () => {
  before1 = Date.now();
  // One after the other: the second is the newer row.
  fast = okJson(await cli(['backtest', '--db', DB, '--to', '1996-12-31', '--fast', '5', '--slow', '20', '--json']));
  slow = okJson(await cli(['backtest', '--db', DB, '--to', '1997-12-31', '--fast', '10', '--slow', '40', '--cash', '50000', '--json']));
  after2 = Date.now();
});

test('runs list: strategy, params, symbols, return, Sharpe; wall-clock start and duration; the cycles beneath each backtest', async () => {
  const [text, json] = await Promise.all([cli(['runs', 'list', '--db', DB]), cli(['runs', 'list', '--db', DB, '--json'])]);
  const j = okJson(json);
  assert.deepEqual(j.runs.map((r: { runId: string }) => r.runId), [slow.runId, fast.runId]);
  const row = j.runs[1];
  assert.deepEqual(row.backtest.params, { fast: 5, slow: 20 });
  assert.equal(row.backtest.strategy, 'sma-cross');
  assert.deepEqual(row.backtest.symbols, ['ORCL']);
  assert.equal(row.backtest.totalReturnPct, fast.totalReturnPct);
  assert.equal(row.backtest.sharpe, fast.kpis.sharpe);
  assert.deepEqual(row.backtest.cycles, fast.cycles);
  assert.deepEqual(row.backtest.period, { from: '1995-01-03T00:00:00.000Z', to: '1996-12-31T00:00:00.000Z' });
  // The row's own times are bar time; the wall clock is when the command ran.
  assert.equal(row.startedAt, '1995-01-03T00:00:00.000Z');
  for (const r of j.runs) {
    const start = Date.parse(r.wallClock.startedAt);
    const end = Date.parse(r.wallClock.finishedAt);
    assert.ok(start >= before1 - 1000 && end <= after2 + 1000 && start <= end, JSON.stringify(r.wallClock));
    assert.equal(r.wallClock.durationMs, end - start);
  }

  const lines = okText(text).split('\n');
  const header = lines[0]!;
  const i = lines.findIndex((l) => l.startsWith(fast.runId));
  const line = lines[i]!;
  const at = (col: string, value: string): void => assert.equal(line.indexOf(value, columnOf(header, col)), columnOf(header, col), `${col} ${value} in ${line}`);
  at('STRATEGY', 'sma-cross');
  at('PARAMS', 'fast=5 slow=20');
  at('SYMBOLS', 'ORCL');
  at('STARTED', new Date(Date.parse(row.wallClock.startedAt)).toISOString().slice(0, 10));
  assert.ok(line.includes(`${fast.totalReturnPct.toFixed(2)}%`), line);
  assert.ok(line.includes(fast.kpis.sharpe === null ? '—' : fast.kpis.sharpe.toFixed(2)), line);
  assert.doesNotMatch(line, /\d+d \d+h/, 'the duration is not the two years of bars');
  const ok = fast.cycles.ok!;
  assert.equal(lines[i + 1], `  └ ${ok} cycles (ok ${ok}), bars 1995-01-03 → 1996-12-31`);
  assert.match(lines.at(-2)!, /STARTED and DURATION by the wall clock/);
});

test("runs show: the run's configuration, wall-clock times and its bars", async () => {
  const [text, json] = await Promise.all([cli(['runs', 'show', slow.runId, '--db', DB]), cli(['runs', 'show', slow.runId, '--db', DB, '--json'])]);
  const d = okJson(json);
  assert.deepEqual(d.configSnapshot.config.backtest.strategyParams, { fast: 10, slow: 40 });
  assert.equal(d.configSnapshot.config.backtest.cash, 50000);
  assert.equal(d.configSnapshot.config.config.ANA_PERIODS_PER_YEAR, 252);
  const out = okText(text);
  assert.match(out, /^bars\s+1995-01-03 → 1997-12-31$/m);
  assert.match(out, /^started\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/m);
  assert.doesNotMatch(out, /^started\s+1995/m, 'started is the wall clock, not the first bar');
  assert.match(out, /^backtest\n(  .*\n)+/m);
  assert.match(out, /^  strategyParams\s+\{"fast":10,"slow":40\}$/m);
  assert.match(out, /^  cash\s+50000$/m);
  assert.match(out, /^  \d+ of \d+ differ from the defaults/m);
  assert.match(out, /^  DB_PATH\s+\S*runs\.db$/m, 'a setting off its default is listed');
  assert.doesNotMatch(out, /^  ANA_PERIODS_PER_YEAR/m, 'a default setting is not');
});

test('runs compare A B: side by side, the differing rows marked, shared settings counted', async () => {
  const [text, json, missing] = await Promise.all([
    cli(['runs', 'compare', fast.runId, slow.runId, '--db', DB]),
    cli(['runs', 'compare', fast.runId, slow.runId, '--db', DB, '--json']),
    cli(['runs', 'compare', fast.runId, 'bt-nope', '--db', DB]),
  ]);
  const c = okJson(json);
  assert.equal(c.a, fast.runId);
  assert.equal(c.b, slow.runId);
  const row = (field: string) => c.rows.find((r: { field: string }) => r.field === field);
  assert.deepEqual(row('strategy: fast'), { field: 'strategy: fast', a: '5', b: '10', same: false });
  assert.deepEqual(row('strategy: id'), { field: 'strategy: id', a: 'sma-cross', b: 'sma-cross', same: true });
  assert.deepEqual(row('data: bars'), { field: 'data: bars', a: '1995-01-03 → 1996-12-31', b: '1995-01-03 → 1997-12-31', same: false });
  assert.equal(row('result: return').a, `${fast.totalReturnPct.toFixed(2)}%`);
  assert.deepEqual(row('config: backtest.cash'), { field: 'config: backtest.cash', a: '100000', b: '50000', same: false });
  assert.equal(row('config: ANA_PERIODS_PER_YEAR'), undefined, 'a shared setting is not a row');
  assert.ok(c.sameSettings > 50, String(c.sameSettings));

  const out = okText(text);
  const lines = out.split('\n');
  assert.match(lines[0]!, new RegExp(`FIELD\\s+${fast.runId}\\s+${slow.runId}$`));
  assert.ok(lines.some((l) => /^≠\s+strategy: fast\s+5\s+10$/.test(l)), out);
  assert.ok(lines.some((l) => /^\s+strategy: id\s+sma-cross\s+sma-cross$/.test(l)), out);
  assert.match(out, /≠ marks the \d+ rows that differ; \d+ configuration settings are the same in both/);

  failsWith(missing, 'E_API_NOT_FOUND', /bt-nope/);
});
