// The dashboard in a real headless Chromium (Debian's, driven by puppeteer-core) against a
// real `ordinis paper --serve` child process: the page loads with no console error, follows
// the run live (the /events timeline, the book), and operates the kill switch with the token
// and not without it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startCli } from '../modes/paper/cli-process.ts';
import { tempDir } from '../modes/paper/paper-support.ts';
import { startServedPaper, TEST_API_TOKEN, eventually } from '../support/paper-serve.ts';

// The functions handed to page.waitForFunction/$eval run in the page; this project's
// TypeScript has no DOM library, so the page's document is declared for this module only.
declare const document: { getElementById(id: string): (HTMLLikeElement & { dataset: Record<string, string> }) | null; querySelector(sel: string): HTMLLikeElement | null; querySelectorAll(sel: string): { length: number } };
interface HTMLLikeElement {
  textContent: string | null;
}
interface HTMLInputElement {
  value: string;
}
interface HTMLElement {
  dataset: Record<string, string>;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;

test('dashboard: loads clean, updates while paper runs, kill switch works through the page with the token and not without', { skip }, async (t) => {
  const { base } = await startServedPaper(t, 15);
  const { launch } = await import('puppeteer-core');
  const browser = await launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${String(e)}`));
  const res = await page.goto(`${base}/`, { waitUntil: 'load' });
  assert.equal(res?.status(), 200);
  assert.match(res!.headers()['content-security-policy'] ?? '', /default-src 'none'/);

  const text = (sel: string) => page.$eval(sel, (el) => el.textContent ?? '');
  await page.waitForFunction(() => document.getElementById('engine-state')?.textContent === 'engine running', { timeout: 20_000 });
  assert.equal(await text('#engine-mode'), 'mode paper');
  // The live timeline: cycles arrive over /events while the run goes on.
  await page.waitForFunction(() => document.querySelectorAll('#cycle-rows tr.cycle').length >= 3, { timeout: 20_000 });
  const firstCycle = await text('#cycle-rows tr.cycle td');
  await page.waitForFunction((id) => document.querySelector('#cycle-rows tr.cycle td')?.textContent !== id, { timeout: 20_000 }, firstCycle);
  // The book: equity shown, and it moves with the run (a fill, and the last bar moves on).
  await page.waitForFunction(() => /^[\d,]+\.\d\d$/.test(document.getElementById('equity')?.textContent ?? ''), { timeout: 20_000 });
  await page.waitForFunction(() => Number(document.getElementById('fills')?.textContent) >= 1, { timeout: 30_000 });
  const runtimeLine = await text('#runtime-line');
  await page.waitForFunction((before) => document.getElementById('runtime-line')?.textContent !== before, { timeout: 20_000 }, runtimeLine);
  await page.waitForFunction(() => document.getElementById('audit-state')?.textContent === 'chain intact', { timeout: 20_000 });
  await page.waitForFunction(() => document.querySelectorAll('#runs tr').length >= 1 && !document.querySelector('#runs td.muted'), { timeout: 20_000 });
  assert.deepEqual(consoleErrors, [], 'no console errors while loading and following the run');

  const killState = async () => ((await (await fetch(`${base}/status`)).json()) as { kill: { state: string } }).kill.state;
  const press = async (button: string, token: string) => {
    await page.$eval('#kill-token', (el) => ((el as HTMLInputElement).value = ''));
    if (token) await page.type('#kill-token', token);
    await page.$eval('#kill-message', (el) => ((el as HTMLElement).dataset.outcome = ''));
    await page.click(button);
    await page.waitForFunction(() => (document.getElementById('kill-message') as HTMLElement).dataset.outcome !== '', { timeout: 10_000 });
    return text('#kill-message');
  };

  // Without the token, and with a wrong one: refused, nothing changes.
  assert.match(await press('#kill-activate', ''), /^refused \(401 E_API_UNAUTHORIZED\)/);
  assert.match(await press('#kill-activate', 'not-the-token'), /^refused \(401 E_API_UNAUTHORIZED\)/);
  assert.equal(await killState(), 'INACTIVE');
  // With it: the switch trips, the page shows it, the server says so.
  assert.equal(await press('#kill-activate', TEST_API_TOKEN), 'activated: kill switch ACTIVE');
  assert.equal(await killState(), 'ACTIVE');
  await page.waitForFunction(() => document.getElementById('kill-state')?.textContent === 'ACTIVE', { timeout: 10_000 });
  assert.match(await text('#kill-detail'), /by dashboard: operator stop from the dashboard/);
  // Cycles go on, blocked.
  await eventually('a blocked cycle on the page', async () => ((await text('#cycle-rows tr.cycle td:nth-child(2)')) === 'blocked' ? true : undefined));
  assert.match(await press('#kill-deactivate', ''), /^refused \(401/);
  assert.equal(await killState(), 'ACTIVE');
  assert.equal(await press('#kill-deactivate', TEST_API_TOKEN), 'deactivated: kill switch INACTIVE');
  assert.equal(await killState(), 'INACTIVE');
  // The only console errors are the browser's own notes of the refused (401) requests.
  assert.deepEqual(consoleErrors.filter((e) => !/status of 401/.test(e)), []);
  assert.equal(consoleErrors.length, 3, consoleErrors.join('\n'));
});

test('dashboard assets: only the listed files are served, with their content types', async (t) => {
  const { base } = await startServedPaper(t, 5);
  const js = await fetch(`${base}/dashboard/dashboard.js`);
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  const css = await fetch(`${base}/dashboard/dashboard.css`);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  for (const path of ['/dashboard/..%2Fpackage.json', '/dashboard/package.json', '/dashboard/%2E%2E%2Fsrc%2Findex.ts']) {
    const r = await fetch(`${base}${path}`);
    assert.equal(r.status, 404, path);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'E_API_NOT_FOUND');
  }
  assert.equal((await fetch(`${base}/`, { method: 'POST' })).status, 405);
  const book = (await (await fetch(`${base}/book`)).json()) as { cash: number; openOrders: unknown[]; recentFills: unknown[] };
  assert.equal(typeof book.cash, 'number');
  assert.ok(Array.isArray(book.openOrders) && Array.isArray(book.recentFills));
});

test('dashboard on ordinis serve (no trading book): loads with no console errors and says so', { skip }, async (t) => {
  const db = join(tempDir(t, 'ordinis-serve-'), 'serve.db');
  const proc = startCli(['--log-level', 'info', 'serve', '--db', db], { ORDINIS_API_PORT: '0' });
  t.after(() => proc.child.kill('SIGKILL'));
  const port = Number((await proc.waitFor(/"port":(\d+)[^\n]*"msg":"ops API listening"/))[1]);
  const { launch } = await import('puppeteer-core');
  const browser = await launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${String(e)}`));
  await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.getElementById('engine-state')?.textContent === 'engine serving', { timeout: 20_000 });
  await page.waitForFunction(() => document.getElementById('audit-state')?.textContent === 'chain intact', { timeout: 20_000 });
  await page.waitForFunction(() => document.getElementById('connection')?.textContent === 'live', { timeout: 20_000 });
  assert.equal(await page.$eval('#equity', (el) => el.textContent), '—');
  assert.deepEqual(errors, []);
  assert.equal((await fetch(`http://127.0.0.1:${port}/book`)).status, 404);
});
