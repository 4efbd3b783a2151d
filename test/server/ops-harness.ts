// A real ops server on 127.0.0.1 (ephemeral port) over a real SQLite file, a real kill switch
// governed and audited through that file, a real engine and a real prom-client registry.
// Every response read through `api` is checked for stack frames.

import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { ManualClock } from '../../src/core/clock.ts';
import { GovernanceEngine } from '../../src/governance/governance-engine.ts';
import { KillSwitch } from '../../src/kill-switch/kill-switch.ts';
import type { KillSwitchStore } from '../../src/kill-switch/contract.ts';
import type { OrdinisDatabase } from '../../src/persistence/database.ts';
import type { AuditStoreOptions } from '../../src/persistence/sqlite-audit-store.ts';
import type { RunRow } from '../../src/kernel/run-store.ts';
import { CYCLE_RESULT_SCHEMA_VERSION, type CycleResultDocument, type StageResult } from '../../src/kernel/cycle-result.ts';
import { STAGE_ORDER } from '../../src/kernel/stage-contract.ts';
import { OpsServer, type OpsLogger, type OpsServerDeps, type OpsServerLimits, type Readiness } from '../../src/server/ops-server.ts';
import { openTempDatabase, runRow } from '../persistence/temp-database.ts';
import { makeEngine } from '../support/engine-harness.ts';

export const TOKEN = 'correct-horse-battery-staple';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string | undefined;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  json: any;
}

export interface OpsFixture {
  base: string;
  db: OrdinisDatabase;
  kill: KillSwitch;
  clock: ManualClock;
  registry: Registry;
  counter: Counter;
  engine: ReturnType<typeof makeEngine>['engine'];
  calls: string[];
  server: OpsServer;
  logs: LogLine[];
  readiness: { value: Readiness | (() => Readiness) };
  api(path: string, init?: RequestInit): Promise<ApiResponse>;
  /** POST a JSON body (a string is sent as is) with the right token unless told otherwise. */
  post(path: string, body: unknown, options?: { token?: string | null; contentType?: string | null }): Promise<ApiResponse>;
}

export interface FixtureOptions {
  /** null: no token configured (mutating routes off). Default TOKEN. */
  token?: string | null;
  status?: OpsServerDeps['status'];
  /** Wraps the SQLite kill-switch store (to make saves fail, ...). */
  killStore?: (store: KillSwitchStore) => KillSwitchStore;
  /** GET /audit/verify's rate limit. Default 0: every request verifies (the route's own tests set one). */
  auditVerifyMinIntervalMs?: number;
  /** Opens the database with these audit options (a MAC key, ...). */
  audit?: AuditStoreOptions;
  /** Timeouts and connection cap (default: the server's defaults). */
  limits?: OpsServerLimits;
  /** API_UNAUTHORIZED_LOG_INTERVAL_MS (default: the server's default). */
  unauthorizedLogIntervalMs?: number;
  /** The bus behind GET /events (default: none, /events answers 503). */
  bus?: OpsServerDeps['bus'];
  eventStream?: OpsServerDeps['eventStream'];
  /** What POST /backtests hands requests to (default: none, 503). */
  backtests?: OpsServerDeps['backtests'];
}

/** Matches a V8 stack frame ("    at fn (file.ts:1:2)", "at node:internal/..."). */
const STACK_FRAME = /(^|\n)\s*at\s|\bat\s+\S*\s*\(?(file:|node:|\/)[^)]*:\d+(:\d+)?\)?/;

export function assertNoStack(text: string): void {
  assert.doesNotMatch(text, STACK_FRAME, `response body contains a stack frame: ${text.slice(0, 300)}`);
}

export async function startOps(t: TestContext, options: FixtureOptions = {}): Promise<OpsFixture> {
  const temp = openTempDatabase(t, options.audit ? { audit: options.audit } : {});
  const db = temp.db;
  const clock = new ManualClock(Date.UTC(2025, 0, 6, 14, 30));
  const governance = new GovernanceEngine({ policyVersion: 'gov_v1', store: db.audit, clock });
  const store = options.killStore ? options.killStore(db.killSwitch) : db.killSwitch;
  const kill = new KillSwitch({ store, clock, governance, failSafe: true });
  const { engine, calls } = makeEngine({ kill, runStore: db.runs });
  engine.start();

  const registry = new Registry();
  const counter = new Counter({ name: 'ordinis_test_requests_total', help: 'test counter', registers: [registry] });

  const logs: LogLine[] = [];
  const logger: OpsLogger = {
    info: (obj, msg) => logs.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
    warn: (obj, msg) => logs.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    error: (obj, msg) => logs.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
  };
  const readiness: OpsFixture['readiness'] = { value: { ready: true, reasons: [] } };
  const token = options.token === undefined ? TOKEN : options.token;
  const server = new OpsServer({
    status: options.status ?? (() => engine.status()),
    db,
    kill,
    metrics: registry,
    readiness: () => (typeof readiness.value === 'function' ? readiness.value() : readiness.value),
    ...(token === null ? {} : { token }),
    host: '127.0.0.1',
    port: 0,
    logger,
    auditVerifyMinIntervalMs: options.auditVerifyMinIntervalMs ?? 0,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.unauthorizedLogIntervalMs !== undefined ? { unauthorizedLogIntervalMs: options.unauthorizedLogIntervalMs } : {}),
    ...(options.bus ? { bus: options.bus } : {}),
    ...(options.eventStream ? { eventStream: options.eventStream } : {}),
    ...(options.backtests ? { backtests: options.backtests } : {}),
  });
  const { port } = await server.listen();
  t.after(async () => {
    await server.close();
    await engine.stop();
  });
  const base = `http://127.0.0.1:${port}`;

  const api = async (path: string, init?: RequestInit): Promise<ApiResponse> => {
    const res = await fetch(base + path, init);
    const text = await res.text();
    assertNoStack(text);
    const json = (res.headers.get('content-type') ?? '').startsWith('application/json') && text ? (JSON.parse(text) as unknown) : undefined;
    return { status: res.status, headers: res.headers, text, json };
  };
  const post: OpsFixture['post'] = (path, body, o = {}) => {
    const tok = o.token === undefined ? TOKEN : o.token;
    const headers: Record<string, string> = {};
    if (o.contentType !== null) headers['content-type'] = o.contentType ?? 'application/json';
    if (tok !== null) headers.authorization = `Bearer ${tok}`;
    // Bytes, not a string: fetch would otherwise add `text/plain` when no content type is given.
    const bytes = new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
    return api(path, { method: 'POST', headers, body: bytes });
  };

  return { base, db, kill, clock, registry, counter, engine, calls, server, logs, readiness, api, post };
}

/** Asserts the error shape and code (and status), returning the message. */
export function assertError(r: ApiResponse, status: number, code: string): string {
  assert.equal(r.status, status, `expected ${status} ${code}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(r.json?.error?.code, code, r.text);
  assert.equal(typeof r.json.error.message, 'string');
  assert.ok(r.json.error.message.length > 0);
  return r.json.error.message as string;
}

// --- seeded run history

export function stageResults(overrides: Partial<Record<StageResult['stage'], Partial<StageResult>>> = {}): StageResult[] {
  return STAGE_ORDER.map((stage, i) => ({
    stage,
    status: 'ok',
    attempts: 1,
    durationMs: 1 + i,
    errorCode: null,
    note: null,
    retryDelaysMs: [],
    output: { n: i },
    ...overrides[stage],
  }));
}

/** A CycleResult as stored (times RFC 3339). */
export function cycleResult(correlationId: string, overrides: Partial<CycleResultDocument> = {}): CycleResultDocument {
  return {
    schemaVersion: CYCLE_RESULT_SCHEMA_VERSION,
    correlationId,
    traceId: '0'.repeat(32),
    mode: 'paper',
    trigger: 'timer',
    cycleTime: '2025-01-06T14:30:00.000Z',
    status: 'ok',
    stageResults: stageResults(),
    startedAt: '2025-01-06T14:30:00.000Z',
    finishedAt: '2025-01-06T14:30:00.036Z',
    durationMs: 36,
    blockReason: null,
    timedOut: false,
    errors: [],
    ...overrides,
  };
}

/** Writes a run, finishes it and, for a cycle, stores its cycle_result artifact. */
export function seedRun(db: OrdinisDatabase, row: Partial<RunRow> & { runId: string }, result?: CycleResultDocument | unknown): void {
  const r = runRow(row.runId, row);
  db.runs.startRun({ ...r, status: 'running', finishedAt: null });
  if (r.status !== 'running') {
    db.runs.finishRun(r.runId, { finishedAt: '2025-01-06T14:31:00.000Z', status: r.status, errorCodes: r.errorCodes });
  }
  if (result !== undefined) {
    db.runs.putArtifact({ runId: r.runId, kind: 'cycle_result', schemaVersion: CYCLE_RESULT_SCHEMA_VERSION, commitHash: 'abc1234', content: result });
  }
}

/** Parses Prometheus text exposition into `name{labels}` → value. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+)\s+(\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}
