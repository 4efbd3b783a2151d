// auditVerifyLoad: what GET /audit/verify costs the trading process. A "trading" loop runs
// back to back on the event loop, each turn one audit append (the per-cycle write of a
// paper run) on a real SQLite file holding a long chain; the ops server runs in the same
// process on 127.0.0.1, as with `paper --serve`. Turns are counted for a window with no
// client, then for a window with 4 clients requesting /audit/verify as fast as they can
// (the attack), with the route's default rate limit and with none (every request
// verifies, incrementally), after the server's first (full) verification, and on /healthz
// (the cost of HTTP traffic as such). Also: one full
// verification of the chain, one incremental one after a few appends, and the trading
// turns per second while a full walk runs.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { systemClock } from '../src/core/clock.ts';
import type { AuditRecordInput } from '../src/governance/audit-chain.ts';
import { KillSwitch } from '../src/kill-switch/kill-switch.ts';
import { openDatabase, type OrdinisDatabase } from '../src/persistence/database.ts';
import { AuditVerifier, DEFAULT_AUDIT_VERIFY_MIN_INTERVAL_MS } from '../src/server/audit-verifier.ts';
import { OpsServer } from '../src/server/ops-server.ts';

export interface AuditVerifyLoadResult {
  /** Trading turns per second with 4 clients on /audit/verify (default rate limit) over turns per second with none. */
  loadedShare: number;
  /** The same with no rate limit: every request verifies (incrementally). */
  loadedShareUnlimited: number;
  /** The same with the clients on GET /healthz: what any HTTP traffic costs, the floor for the two above. */
  healthzShare: number;
  /** One full verification of the chain, ms. */
  fullVerifyMs: number;
  /** Trading turns per second while a full verification walks the chain, over idle. */
  duringFullWalkShare: number;
  records: number;
}

export interface AuditVerifyLoadDetail extends AuditVerifyLoadResult {
  idlePerSec: number;
  loadedPerSec: number;
  loadedUnlimitedPerSec: number;
  requests: number;
  requestsUnlimited: number;
  incrementalVerifyMs: number;
}

function record(i: number): AuditRecordInput {
  return {
    ts: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(),
    kind: 'exec.submit',
    component: 'EXEC',
    action: 'submit',
    actor: 'orchestrator',
    correlationId: `run-${i}`,
    policyVersion: 'gov_v1',
    decision: 'allow',
    subjectRef: `co-${i}`,
    payload: { symbol: 'ORCL', side: 'buy', qty: 10, price: 12.5 + (i % 100) / 100 },
  };
}

/** Appends back to back, yielding each turn, for `ms` (or until `until()`); returns turns per second. */
async function trade(db: OrdinisDatabase, ms: number, next: { i: number }, until: () => boolean = () => false): Promise<number> {
  const t0 = performance.now();
  let turns = 0;
  while (performance.now() - t0 < ms && !until()) {
    db.audit.append(record(next.i++));
    turns++;
    await yieldToLoop();
  }
  return (turns * 1000) / (performance.now() - t0);
}

/**
 * 4 clients requesting /audit/verify back to back in a child process (an attacker is outside
 * the trading process; in-process clients would bill their own work to it). Resolves once
 * the first answer came; `stop()` ends them and resolves with how many requests were
 * answered in all.
 */
async function startHammer(url: string): Promise<{ stop: () => Promise<number> }> {
  const script = `
    let done = false, n = 0, started = false;
    process.stdin.on('end', () => { done = true; }).resume();
    const client = async () => { while (!done) { const r = await fetch(${JSON.stringify(url)}); await r.arrayBuffer(); n++; if (!started) { started = true; console.log('started'); } } };
    Promise.all([client(), client(), client(), client()]).then(() => console.log(n));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('started')) resolve();
    });
  });
  return {
    stop: () =>
      new Promise<number>((resolve) => {
        child.once('close', () => resolve(Number(out.trim().split('\n').pop())));
        child.stdin.end();
      }),
  };
}

async function underLoad(db: OrdinisDatabase, path: string, minIntervalMs: number, windowMs: number, next: { i: number }): Promise<{ perSec: number; requests: number }> {
  const kill = new KillSwitch({ store: db.killSwitch, clock: systemClock, failSafe: true });
  const server = new OpsServer({
    status: () => ({}),
    db,
    kill,
    metrics: new Registry(),
    readiness: () => ({ ready: true, reasons: [] }),
    host: '127.0.0.1',
    port: 0,
    auditVerifyMinIntervalMs: minIntervalMs,
  });
  const { port } = await server.listen();
  // The server's first verification walks the whole chain (once per process); the window
  // measures the steady state after it.
  await (await fetch(`http://127.0.0.1:${port}/audit/verify`)).arrayBuffer();
  const clients = await startHammer(`http://127.0.0.1:${port}${path}`);
  const perSec = await trade(db, windowMs, next);
  const n = await clients.stop();
  await server.close();
  return { perSec, requests: n };
}

export async function benchAuditVerifyLoad(quick: boolean): Promise<AuditVerifyLoadDetail> {
  const records = quick ? 5_000 : 100_000;
  const windowMs = quick ? 500 : 3_000;
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-bench-auditverify-'));
  const db = openDatabase({ path: join(dir, 'audit.db') });
  try {
    const next = { i: 1 };
    db.transaction(() => {
      for (; next.i <= records; next.i++) db.audit.append(record(next.i));
    });

    const t0 = performance.now();
    const full = await new AuditVerifier(db.audit, { minIntervalMs: 0 }).verify();
    const fullVerifyMs = performance.now() - t0;
    if (!full.ok) throw new Error(`bench chain does not verify: ${full.reason}`);
    const inc = new AuditVerifier(db.audit, { minIntervalMs: 0 });
    await inc.verify();
    for (let k = 0; k < 10; k++) db.audit.append(record(next.i++));
    const t1 = performance.now();
    await inc.verify();
    const incrementalVerifyMs = performance.now() - t1;

    const idlePerSec = await trade(db, windowMs, next);
    let walked = false;
    const walk = new AuditVerifier(db.audit, { minIntervalMs: 0 }).verify().then(() => {
      walked = true;
    });
    const duringWalkPerSec = await trade(db, 600_000, next, () => walked);
    await walk;
    const limited = await underLoad(db, '/audit/verify', DEFAULT_AUDIT_VERIFY_MIN_INTERVAL_MS, windowMs, next);
    const unlimited = await underLoad(db, '/audit/verify', 0, windowMs, next);
    const floor = await underLoad(db, '/healthz', 0, windowMs, next);
    return {
      loadedShare: limited.perSec / idlePerSec,
      loadedShareUnlimited: unlimited.perSec / idlePerSec,
      healthzShare: floor.perSec / idlePerSec,
      fullVerifyMs,
      duringFullWalkShare: duringWalkPerSec / idlePerSec,
      records,
      idlePerSec,
      loadedPerSec: limited.perSec,
      loadedUnlimitedPerSec: unlimited.perSec,
      requests: limited.requests,
      requestsUnlimited: unlimited.requests,
      incrementalVerifyMs,
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && process.argv[1].endsWith('audit-verify-load.ts')) {
  benchAuditVerifyLoad(process.argv.includes('--quick')).then(
    (d) => console.log(JSON.stringify(d)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
