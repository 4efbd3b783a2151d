// `ordinis ... --json | head -c 10`: the reader goes away after a few bytes. The command
// must end quietly (no EPIPE stack trace on stderr, exit 0), as `ls | head` does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { openDatabase } from '../../src/persistence/database.ts';
import { BIN, ROOT, cleanEnv, tempDbPath } from './cli-harness.ts';

/** Runs the CLI, reads `keep` bytes of stdout, then closes the pipe (as `head -c` does). */
function cliIntoShortReader(args: readonly string[], keep: number): Promise<{ code: number | null; signal: string | null; head: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let head = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      head += d.toString('utf8', 0, Math.max(0, keep - head.length));
      if (head.length >= keep) child.stdout.destroy();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, head, stderr }));
  });
}

test('runs list --json into a reader that stops after 10 bytes: no EPIPE trace, exit 0', async (t) => {
  const { db: path } = tempDbPath(t);
  // 2000 runs: about 0.6 MB of JSON, far more than a pipe buffer holds.
  const db = openDatabase({ path });
  try {
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) {
        const runId = `run-${String(i).padStart(5, '0')}`;
        db.runs.startRun({
          runId, mode: 'paper', kind: 'cycle', startedAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(), finishedAt: null, status: 'running',
          errorCodes: [], configSnapshotRef: null, codeVersion: '0.1.0', commitHash: 'abc1234', parentRunId: null, abortReason: null,
        });
      }
    });
  } finally {
    db.close();
  }
  const runs = await Promise.all([
    cliIntoShortReader(['runs', 'list', '--db', path, '--limit', '1000', '--json'], 10),
    cliIntoShortReader(['runs', 'list', '--db', path, '--limit', '1000'], 10),
  ]);
  for (const r of runs) {
    assert.equal(r.head.length, 10);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled 'error' event|\n\s+at /, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual([r.code, r.signal], [0, null], r.stderr);
  }
});
