// Risk guards made visible. `ordinis backtest` runs the dev profile unless one is chosen, and
// dev has no drawdown guard: a 20-year ORCL backtest all in (--weight 1) runs to its end. The
// paper profile (chosen by flag or environment) keeps the 20 % guard, which denies every entry
// from 1998-09-22 on; its denials show in the terminal summary, the HTML report and --json
// (`riskDenials`: reason code -> count and first date). Real runs on the bundled sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDbPath } from './cli-harness.ts';

interface Summary {
  status: string;
  bars: number;
  maxDrawdownPct: number;
  fills: { ts: string }[];
  riskDenials: Record<string, { count: number; firstDate: string }>;
}

const ALL_IN = ['backtest', '--weight', '1'];
const BREACH = 'RISK.DRAWDOWN.MAX_DRAWDOWN_BREACH';

test('backtest defaults to dev (no drawdown guard); the paper profile\'s guard shows in --json, the summary and the report', async (t) => {
  const { dir } = tempDbPath(t);
  const report = join(dir, 'paper.html');
  const [dev, paperJson, paperText] = await Promise.all([
    cli([...ALL_IN, '--db', join(dir, 'dev.db'), '--json']),
    cli([...ALL_IN, '--db', join(dir, 'paper-json.db'), '--json'], { env: { ORDINIS_ORCH_PROFILE: 'paper' } }),
    cli(['--profile', 'paper', ...ALL_IN, '--db', join(dir, 'paper-text.db'), '--report', report]),
  ]);
  for (const r of [dev, paperJson, paperText]) assert.equal(r.code, 0, r.stderr);

  // dev: to the end, through drawdowns deeper than the guard would allow, no denial but RISK's bookkeeping.
  const d = JSON.parse(dev.stdout) as Summary;
  assert.equal(d.status, 'ok');
  assert.equal(d.bars, 5036);
  assert.ok(d.maxDrawdownPct > 30, String(d.maxDrawdownPct));
  assert.equal(d.fills.at(-1)!.ts.slice(0, 4), '2014');
  assert.equal(d.riskDenials[BREACH], undefined);
  assert.deepEqual(Object.keys(d.riskDenials), ['RISK.POSITION.NO_CHANGE']);
  assert.equal(dev.stderr.includes('SAFETY OFF'), false, 'dev\'s own setting is no warning');

  // paper: the guard stops new entries from 1998-09-22 on; the last fill is long before the end.
  const p = JSON.parse(paperJson.stdout) as Summary;
  assert.deepEqual(p.riskDenials[BREACH], { count: 73, firstDate: '1998-09-22T00:00:00.000Z' });
  assert.ok(p.fills.length < d.fills.length);
  assert.match(paperText.stdout, /^risk {7}denied RISK\.POSITION\.NO_CHANGE 80 \(first 1995-04-06\), RISK\.DRAWDOWN\.MAX_DRAWDOWN_BREACH 73 \(first 1998-09-22\)$/m);
  const html = readFileSync(report, 'utf8');
  assert.match(html, /<h2>Risk denials<\/h2>/);
  assert.match(html, /<tr><td><code>RISK\.DRAWDOWN\.MAX_DRAWDOWN_BREACH<\/code><\/td><td class="num">73<\/td><td>1998-09-22<\/td><\/tr>/);
});
