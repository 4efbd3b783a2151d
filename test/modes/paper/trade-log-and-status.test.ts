// `ordinis paper` tells the operator what it trades: an info line per order and per fill,
// and on a terminal a one-line live status under the logs (never on a pipe).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { PaperRunSummary } from '../../../src/modes/paper/paper-summary.ts';
import { fitLine, TerminalStatusLine } from '../../../src/cli/terminal-status-line.ts';
import { paperStatusLine } from '../../../src/cli/paper-status-line.ts';
import { BIN, childEnv, ROOT, runCli } from './cli-process.ts';
import { tempDir } from './paper-support.ts';

const CLEAR = '\r\x1b[2K';

test('TerminalStatusLine: log lines go above the status, which is drawn again after each; close clears it', () => {
  const out: string[] = [];
  const line = new TerminalStatusLine({ write: (s) => out.push(s) > 0, columns: 20 });
  line.logDestination.write('{"msg":"before any status"}\n');
  line.show('paper running · bar 1995-01-03 · cycles 12');
  line.logDestination.write('{"msg":"fill"}\n');
  line.close();
  line.show('ignored after close');
  assert.deepEqual(out, [
    `${CLEAR}{"msg":"before any status"}\n`,
    `${CLEAR}paper running · ba…`,
    `${CLEAR}{"msg":"fill"}\n`,
    `${CLEAR}paper running · ba…`,
    CLEAR,
  ]);
});

test('fitLine: one line, no wider than the terminal less one column', () => {
  assert.equal(fitLine('a\n  b', 80), 'a b');
  assert.equal(fitLine('abcdef', 5), 'abc…');
  assert.equal(fitLine('abcdef', undefined), 'abcdef');
});

test('paperStatusLine: where the replay is, the cycles, the book', () => {
  const base = { state: 'running', lastBarTime: '1995-02-17T00:00:00.000Z', cycles: { ok: 30, degraded: 0, failed: 1, blocked: 3 }, kill: 'INACTIVE' };
  const view = {
    equity: 100_000.56,
    cash: 99_978.02,
    realizedPnl: 0,
    unrealizedPnl: 0.56,
    positions: [{ symbol: 'ORCL', qty: 10, value: 22.5 }, { symbol: 'YHOO', qty: 0, value: 0 }],
    orders: { submitted: 2, filled: 1, rejected: 0, canceled: 0 },
    fills: 1,
    rejections: {},
    dataStalenessSeconds: 0,
    circuitBreaker: 'closed' as const,
  };
  assert.equal(paperStatusLine({ ...base, view }), 'paper running · bar 1995-02-17 · cycles 34 (failed 1, blocked 3) · equity 100,000.56 · ORCL 10 · orders 2 · fills 1 · kill INACTIVE');
  assert.equal(paperStatusLine({ ...base, lastBarTime: null, cycles: { ok: 0, degraded: 0, failed: 0, blocked: 0 }, view: undefined }), 'paper running · bar — · cycles 0 · equity — · flat · orders 0 · fills 0 · kill INACTIVE');
});

interface LogLine {
  msg: string;
  level: string;
  fill_id?: string;
  client_order_id?: string;
  symbol?: string;
}

test('paper logs every order and every fill at info, once each; no status line on a pipe', async (t) => {
  const db = join(tempDir(t), 'trades.db');
  const f = await runCli(['--log-level', 'info', 'paper', '--db', db, '--max-cycles', '120', '--fast', '5', '--slow', '15', '--json']);
  assert.equal(f.code, 0, f.stderr.slice(-2000));
  const s = JSON.parse(f.stdout.trim()) as PaperRunSummary;
  const lines = f.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
  const orders = lines.filter((l) => /^order (buy|sell) /.test(l.msg));
  const fills = lines.filter((l) => /^fill (buy|sell) /.test(l.msg));
  assert.ok(s.ledger.fills >= 3, `${s.ledger.fills} fills: the run trades`);
  assert.equal(orders.length, s.ordersThisSession, 'an order line per order');
  assert.equal(fills.length, s.ledger.fills, 'a fill line per fill');
  assert.equal(new Set(fills.map((l) => l.fill_id)).size, fills.length, 'each fill once');
  for (const l of [...orders, ...fills]) assert.equal(l.level, 'info');
  assert.match(fills[0]!.msg, /^fill (buy|sell) \d+ ORCL @ [\d.]+$/);
  assert.ok(orders.some((o) => o.client_order_id === fills[0]!.client_order_id), 'a fill names its order');
  assert.equal(f.stderr.includes('\x1b['), false, 'no escape codes on a pipe');
});

const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
const noScript = script.error ? 'util-linux `script` not installed (it gives the process a terminal)' : false;

test('on a terminal, paper shows a live status line under its logs and clears it before the summary', { skip: noScript }, (t) => {
  const db = join(tempDir(t), 'tty.db');
  const cmd = [process.execPath, BIN, '--log-level', 'warn', 'paper', '--db', db, '--speed', '100', '--max-cycles', '60', '--fast', '5', '--slow', '15'].map((a) => `'${a}'`).join(' ');
  // script(1) runs the command on a pseudo-terminal and copies what it writes to our stdout.
  const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { cwd: ROOT, env: childEnv(), encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const statuses = [...r.stdout.matchAll(/\r\x1b\[2K(paper running · bar [^\r\n]*)/g)].map((m) => m[1]!);
  assert.ok(statuses.length >= 2, `status redrawn while running (${statuses.length} times)`);
  assert.ok(statuses.some((l) => /cycles [1-9]\d* .*equity [\d,]+\.\d\d/.test(l)), statuses.at(-1));
  // The status line is cleared, then the summary is printed on clean lines.
  assert.match(r.stdout, /\r\x1b\[2Ksession {4}paper-/);
  assert.match(r.stdout, /cycles {5}60 \(ok 60/);
});
