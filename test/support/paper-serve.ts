// `ordinis paper --serve` as a real child process with the ops API on a free port and a
// bearer token: what the metrics scrape and the dashboard tests run against.

import type { TestContext } from 'node:test';
import { join } from 'node:path';
import { startCli, type Running } from '../modes/paper/cli-process.ts';
import { tempDir } from '../modes/paper/paper-support.ts';

export const TEST_API_TOKEN = 'test-token-0123456789abcdef';

export interface ServedPaper {
  proc: Running;
  base: string;
  db: string;
}

/** Starts a crossover paper run (ORCL sample, EMA 5/15 trades within the first 20 bars) at `speed` bars/s. */
export async function startServedPaper(t: TestContext, speed = 40, extraArgs: string[] = []): Promise<ServedPaper> {
  const db = join(tempDir(t, 'ordinis-ops-'), 'paper.db');
  const proc = startCli(['--log-level', 'info', 'paper', '--db', db, '--speed', String(speed), '--fast', '5', '--slow', '15', '--serve', '--json', ...extraArgs], {
    ORDINIS_API_PORT: '0',
    ORDINIS_API_TOKEN: TEST_API_TOKEN,
  });
  t.after(() => proc.child.kill('SIGKILL'));
  const port = Number((await proc.waitFor(/"port":(\d+)[^\n]*"msg":"ops API listening"/))[1]);
  await proc.waitFor(/"msg":"paper runtime started"/);
  return { proc, base: `http://127.0.0.1:${port}`, db };
}

/** The samples of a Prometheus text exposition: `name{labels}` → value. */
export function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** Polls `probe` until it returns something other than undefined (or fails after `timeoutMs`). */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
