// The report as a reader gets it: written by the real CLI after a real backtest, opened in a
// real headless Chromium (Debian's `chromium`, driven by puppeteer-core). It renders with no
// console error, every chart has data, the log-scale box works; 5-minute bars are annualised
// as 5-minute bars; --benchmark is checked before the run.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { ROOT, cli, failsWith, okText, tempDbPath } from '../../../cli/cli-harness.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SAMPLES = join(ROOT, 'samples');

interface Rendered {
  errors: string[];
  /** Per chart container: the number of points of each series. */
  charts: Record<string, number[]>;
  logAxis: string;
}

/** Opens the report, collects console errors and what each chart drew, ticks the log-scale box. */
async function render(file: string): Promise<Rendered> {
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${(e as Error).message}`));
    page.on('requestfailed', (r) => errors.push(`request: ${r.url()}`));
    await page.setViewport({ width: 1100, height: 900 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const charts = await page.evaluate(() => {
      const all = (globalThis as unknown as { ordinisReportCharts: Record<string, { getOption(): { series: { data: unknown[] }[] } }> }).ordinisReportCharts;
      return Object.fromEntries(Object.entries(all).map(([id, c]) => [id, c.getOption().series.map((s) => s.data.length)]));
    });
    await page.click('#equity-log');
    const logAxis = await page.evaluate(() => {
      const all = (globalThis as unknown as { ordinisReportCharts: Record<string, { getOption(): { yAxis: { type: string }[] } }> }).ordinisReportCharts;
      return all['chart-equity']!.getOption().yAxis[0]!.type;
    });
    return { errors, charts, logAxis };
  } finally {
    await browser.close();
  }
}

describe('the backtest report in headless Chromium', { skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)` }, () => {
  test('two symbols against a third as benchmark: no console error, every chart drawn with data, log scale switches', async (t) => {
    const { dir, db } = tempDbPath(t);
    const report = join(dir, 'report.html');
    const r = await cli([
      'backtest', '--db', db, '--report', report, '--strategy', 'sma-cross', '--fast', '10', '--slow', '30', '--weight', '0.4',
      '--data', join(SAMPLES, 'orcl-1995-2014.txt'), '--data', join(SAMPLES, 'yhoo-1996-2014.txt'), '--symbols', 'ORCL,YHOO',
      '--benchmark', join(SAMPLES, 'orcl-1995-2014.txt'), '--to', '2004-12-31',
    ]);
    okText(r);
    const html = readFileSync(report, 'utf8');
    assert.ok(html.includes('orcl-1995-2014 (buy and hold)'), 'the benchmark file names the benchmark');
    const out = await render(report);
    assert.deepEqual(out.errors, []);
    assert.deepEqual(Object.keys(out.charts).sort(), ['chart-distribution', 'chart-drawdown', 'chart-equity', 'chart-price-0', 'chart-price-1', 'chart-rolling']);
    for (const [id, series] of Object.entries(out.charts)) assert.ok(series[0]! > 10, `${id} draws its first series: ${series}`);
    assert.equal(out.charts['chart-equity']!.length, 2, 'strategy and benchmark');
    // Close, sma_fast, sma_slow, buys, sells: both symbols traded.
    for (const id of ['chart-price-0', 'chart-price-1']) assert.ok(out.charts[id]!.length === 5 && out.charts[id]!.every((n) => n > 0), `${id}: ${out.charts[id]}`);
    assert.equal(out.logAxis, 'log');
  });
});

/** Weekday 5-minute bars of a 09:30-16:00 session: 78 a day. */
function fiveMinuteBars(days: number): string {
  const rows = ['Date,Time,Open,High,Low,Close,Volume'];
  let price = 50;
  let step = 0;
  for (let d = 0, weekdays = 0; weekdays < days; d++) {
    const day = new Date(Date.UTC(2024, 0, 1) + d * 86_400_000);
    if (day.getUTCDay() === 0 || day.getUTCDay() === 6) continue;
    weekdays++;
    for (let k = 0; k < 78; k++) {
      const m = 9 * 60 + 30 + 5 * k;
      price = 50 + 5 * Math.sin(step++ / 40);
      const p = price.toFixed(4);
      rows.push(`${day.toISOString().slice(0, 10)},${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')},${p},${p},${p},${p},1000`);
    }
  }
  return `${rows.join('\n')}\n`;
}

describe('the report from the CLI', () => {
  test('5-minute bars are annualised as 5-minute bars, and a key figures table at 252 is called out', async (t) => {
    const { dir, db } = tempDbPath(t);
    const data = join(dir, 'sine-5m.csv');
    writeFileSync(data, fiveMinuteBars(30));
    const report = join(dir, 'r.html');
    okText(await cli(['backtest', '--db', db, '--report', report, '--data', data, '--strategy', 'sma-cross', '--fast', '5', '--slow', '20']));
    const html = readFileSync(report, 'utf8');
    const m = /The rolling figures and alpha are annualised with ([\d,.]+) bars a year, read off the run's timestamps \(median spacing 5 minutes\)/.exec(html);
    assert.ok(m, /<p class="note">The rolling figures.*?<\/p>/.exec(html)?.[0] ?? 'no annualisation note');
    const ppy = Number(m[1]!.replace(/,/g, ''));
    // 2340 bars from 2024-01-01 09:30 to 2024-02-09 15:55: 2339 intervals in 39.27 days, 21,755 a year; nowhere near 252.
    assert.ok(Math.abs(ppy - (2339 * 365.25) / (39 + (15 * 60 + 55 - 9 * 60 - 30) / 1440)) < 0.1, String(ppy));
    assert.ok(html.includes('ANA_PERIODS_PER_YEAR = 252, which does not match this data'));
  });

  test('--benchmark: needs --report, and a file that cannot be read fails before the run', async (t) => {
    const { dir, db } = tempDbPath(t);
    const [alone, missing] = await Promise.all([
      cli(['backtest', '--db', db, '--benchmark', join(SAMPLES, 'yhoo-1996-2014.txt')]),
      cli(['backtest', '--db', db, '--report', join(dir, 'r.html'), '--benchmark', join(dir, 'nope.csv')]),
    ]);
    failsWith(alone, 'E_CFG_INVALID', /--benchmark .*give --report too/);
    failsWith(missing, 'E_CFG_INVALID', /nope\.csv/);
    assert.equal(existsSync(join(dir, 'r.html')), false);
    assert.equal(existsSync(db), false, 'no run was started: no database was created');
  });

  test('a benchmark file with a bad row fails the report, not the run: the error says the run is recorded', async (t) => {
    const { dir, db } = tempDbPath(t);
    const bad = join(dir, 'bench.csv');
    writeFileSync(bad, 'Date,Open,High,Low,Close,Volume\n1995-01-03,1,1,1,1,10\n1995-01-04,1,1,1,oops,10\n');
    const report = join(dir, 'r.html');
    const r = await cli(['backtest', '--db', db, '--to', '1995-06-30', '--report', report, '--benchmark', bad]);
    const line = failsWith(r, 'E_ING_NORMALIZE_FAILED', /bench\.csv/);
    assert.match(line, /\(run bt-[0-9a-f]+ finished ok; it is recorded in .*\.db\)$/);
    assert.equal(existsSync(report), false, 'no report, not half a one');
  });
});
