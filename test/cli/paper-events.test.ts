// `ordinis paper --events` and `ordinis paper --serve` as real child processes: the engine's
// events as JSON lines on stdout, GET /events and POST /backtests on the running process's
// ops API, each checked against the runs table of the same SQLite file.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { openDatabase } from '../../src/persistence/database.ts';
import { BIN, ROOT, childEnv, runCli, startCli } from '../modes/paper/cli-process.ts';
import { openSse } from '../server/sse-client.ts';

const PORT_LINE = /"port":(\d+)[^\n]*"msg":"ops API listening"/;

function tempDb(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-events-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'paper.db');
}

function cycleRunIds(path: string): string[] {
  const db = openDatabase({ path, readonly: true });
  try {
    return db.runs.listRuns({ kind: 'cycle', limit: 1000 }).map((r) => r.runId).sort();
  } finally {
    db.close();
  }
}

/** Per correlation id, the event types in the order they came. */
function byCorrelation(envelopes: Array<{ event_type: string; correlation_id: string }>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of envelopes) out.set(e.correlation_id, [...(out.get(e.correlation_id) ?? []), e.event_type]);
  return out;
}

test('paper --events writes cycle.started then cycle.completed per cycle as JSON lines; the correlation ids are the runs table', async (t) => {
  const db = tempDb(t);
  const f = await runCli(['--log-level', 'warn', 'paper', '--db', db, '--max-cycles', '6', '--events', 'ordinis.ops.cycle.*']);
  assert.equal(f.code, 0, f.stderr.slice(-2000));
  const lines = f.stdout.split('\n').filter((l) => l.length > 0);
  const envelopes = lines.map((l) => JSON.parse(l) as { event_type: string; correlation_id: string; payload: { status?: string } });
  assert.equal(envelopes.length, 12);
  const cycles = byCorrelation(envelopes);
  for (const [id, types] of cycles) assert.deepEqual(types, ['ordinis.ops.cycle.started', 'ordinis.ops.cycle.completed'], id);
  assert.deepEqual([...cycles.keys()].sort(), cycleRunIds(db));
  assert.ok(envelopes.filter((e) => e.event_type === 'ordinis.ops.cycle.completed').every((e) => e.payload.status === 'ok'));
  // The summary moved to stderr: stdout is events only.
  assert.match(f.stderr, /^session {4}paper-/m);
});

test('paper --events with a pattern that can never match is refused naming the flag', async () => {
  const f = await runCli(['paper', '--db', ':memory:', '--events', 'ordinis.nowhere.*']);
  assert.equal(f.code, 1);
  assert.match(f.stderr, /E_CFG_INVALID: --events "ordinis\.nowhere\.\*"/);
});

test('paper --events into a reader that goes away: the run goes on to the end, no EPIPE trace, exit 0', async (t) => {
  const db = tempDb(t);
  const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, '--log-level', 'warn', 'paper', '--db', db, '--max-cycles', '40', '--events'], { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.once('data', () => child.stdout.destroy());
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
  assert.equal(result.code, 0, result.stderr.slice(-2000));
  assert.doesNotMatch(result.stderr, /EPIPE|at .*\.ts:\d+/);
  assert.equal(cycleRunIds(db).length, 40);
});

test('paper --serve: GET /events streams the cycles and POST /backtests runs a backtest in the running process while cycles go on', async (t) => {
  const db = tempDb(t);
  const token = 'events-test-token-0123456789';
  const p = startCli(['--log-level', 'info', 'paper', '--db', db, '--speed', '20', '--serve', '--json'], { ORDINIS_API_PORT: '0', ORDINIS_API_TOKEN: token });
  t.after(() => p.child.kill('SIGKILL'));
  const port = Number((await p.waitFor(PORT_LINE))[1]);
  const base = `http://127.0.0.1:${port}`;
  const cycles = await openSse(`${base}/events?topic=ordinis.ops.cycle.*`);
  const backtests = await openSse(`${base}/events?topic=ordinis.ops.run.backtest.*,ordinis.ops.cycle.completed`);
  t.after(() => [cycles, backtests].forEach((s) => s.close()));

  const res = await fetch(`${base}/backtests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      dataFiles: [join(ROOT, 'samples', 'orcl-1995-2014.txt')],
      strategy: 'sma-cross',
      strategyParams: { fast: 15, slow: 30 },
      sizing: { kind: 'fixed', qty: 10 },
      cash: 100000,
    }),
  });
  const body = await res.text();
  assert.equal(res.status, 202, body);
  const { requestId } = JSON.parse(body) as { requestId: string };
  const done = await backtests.waitFor((f) => f.some((x) => x.event === 'ordinis.ops.run.backtest.completed'));
  const completed = JSON.parse(done.find((x) => x.event === 'ordinis.ops.run.backtest.completed')!.data!);
  assert.equal(completed.correlation_id, requestId);
  // The whole ORCL backtest (some 5 000 bars) runs on its own thread: paper cycles keep
  // completing between the request and its outcome, in the order the bus published them.
  const order = done.map((x) => x.event);
  const between = order.slice(order.indexOf('ordinis.ops.run.backtest.requested') + 1, order.indexOf('ordinis.ops.run.backtest.completed'));
  assert.ok(between.filter((e) => e === 'ordinis.ops.cycle.completed').length >= 2, `events while the backtest ran: ${between.join(', ')}`);
  assert.ok(completed.payload.bars > 4000);

  // Complete cycles on the stream: a started and a completed with the same correlation id.
  const complete = (frames: typeof cycles.frames) => [...byCorrelation(frames.map((f) => JSON.parse(f.data!))).values()].filter((v) => v.length === 2).length;
  await cycles.waitFor((f) => complete(f) >= 3);
  p.child.kill('SIGTERM');
  const f = await p.done;
  assert.equal(f.code, 0, f.stderr.slice(-2000));
  assert.equal(await cycles.ended, 'end', 'the stream ends cleanly when the process stops');

  const envelopes = cycles.frames.map((x) => JSON.parse(x.data!) as { event_type: string; correlation_id: string });
  const seen = byCorrelation(envelopes);
  for (const [id, types] of seen) assert.deepEqual(types.slice(0, 2), ['ordinis.ops.cycle.started', 'ordinis.ops.cycle.completed'].slice(0, types.length), id);
  const runs = new Set(cycleRunIds(db));
  for (const id of seen.keys()) assert.ok(runs.has(id), `${id} is a cycle run`);

  const reopened = openDatabase({ path: db, readonly: true });
  t.after(() => reopened.close());
  const run = reopened.runs.getRun(completed.payload.run_id);
  assert.equal(run?.kind, 'backtest');
  assert.equal(run?.status, 'ok');
});
