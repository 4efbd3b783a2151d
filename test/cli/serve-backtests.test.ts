// `ordinis serve` as a real child process: it runs no cycles, but it has a bus, so POST
// /backtests runs a backtest there and the outcome arrives on its GET /events.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../src/persistence/database.ts';
import { ROOT, startCli } from '../modes/paper/cli-process.ts';
import { openSse } from '../server/sse-client.ts';

const PORT_LINE = /"port":(\d+)[^\n]*"msg":"ops API listening"/;

test('ordinis serve: POST /backtests runs the backtest, /events carries .failed and .completed, SIGTERM ends the stream', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-serve-bt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'serve.db');
  const token = 'serve-backtests-token-0123456789';
  const p = startCli(['--log-level', 'info', 'serve', '--db', db], { ORDINIS_API_PORT: '0', ORDINIS_API_TOKEN: token });
  t.after(() => p.child.kill('SIGKILL'));
  const base = `http://127.0.0.1:${Number((await p.waitFor(PORT_LINE))[1])}`;
  const stream = await openSse(`${base}/events?topic=ordinis.ops.run.backtest.completed,ordinis.ops.run.backtest.failed`);
  t.after(() => stream.close());

  const post = async (body: Record<string, unknown>) => {
    const res = await fetch(`${base}/backtests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dataFiles: [join(ROOT, 'samples', 'orcl-1995-2014.txt')], strategy: 'sma-cross', sizing: { kind: 'fixed', qty: 10 }, cash: 100000, ...body }),
    });
    const text = await res.text();
    assert.equal(res.status, 202, text);
    return (JSON.parse(text) as { requestId: string }).requestId;
  };
  const unknownStrategy = await post({ strategy: 'no-such-strategy' });
  const ok = await post({ to: '1998-12-31' });
  const frames = await stream.waitFor((f) => f.length >= 2);
  const [failed, completed] = frames.map((f) => JSON.parse(f.data!));
  assert.equal(failed.event_type, 'ordinis.ops.run.backtest.failed');
  assert.equal(failed.correlation_id, unknownStrategy);
  assert.equal(failed.payload.error_code, 'E_SIG_STRATEGY_UNKNOWN');
  assert.equal(completed.event_type, 'ordinis.ops.run.backtest.completed');
  assert.equal(completed.correlation_id, ok);

  p.child.kill('SIGTERM');
  const f = await p.done;
  assert.equal(f.code, 0, f.stderr.slice(-2000));
  assert.equal(await stream.ended, 'end');
  const reopened = openDatabase({ path: db, readonly: true });
  t.after(() => reopened.close());
  const runs = reopened.runs.listRuns({ kind: 'backtest', limit: 10 });
  assert.deepEqual(runs.map((r) => [r.runId, r.status]), [[completed.payload.run_id, 'ok']]);
});
