// Run history: the list (filtered, newest first) and one run in detail, with the stage
// timeline read from its `cycle_result` artifact and, for a backtest, its cycles. Each run
// carries `ownerState` and `stale` (running, owner gone): see orchestrator/run-liveness.ts.

import { z } from 'zod';
import type { RunRow, RunStatus } from '../../kernel/run-store.ts';
import { cycleTimeline } from '../../kernel/cycle-timeline.ts';
import { viewRun, type RunView } from '../../kernel/run-liveness.ts';
import { systemProcessTable } from '../../core/process-identity.ts';
import { ApiError } from '../error-status.ts';
import { parseQuery } from '../validation.ts';
import type { OpsServerDeps, Route } from '../contract.ts';

export const MAX_RUNS_LIMIT = 1000;
export const DEFAULT_RUNS_LIMIT = 50;
/** Cycles listed under a backtest run; `truncated` says when there are more. */
export const CHILD_RUNS_LIMIT = 100;

// A Record, so a new RunStatus that is not listed here fails to compile.
const RUN_STATUSES: Record<RunStatus, true> = { running: true, ok: true, degraded: true, failed: true, blocked: true, aborted: true };
const RUN_KINDS: Record<RunRow['kind'], true> = { cycle: true, backtest: true };

const oneOf = (values: Record<string, true>): string => `must be one of ${Object.keys(values).join(', ')}`;

const listQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,7}$/, `must be an integer from 1 to ${MAX_RUNS_LIMIT}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `must be an integer from 1 to ${MAX_RUNS_LIMIT}`).max(MAX_RUNS_LIMIT, `must be an integer from 1 to ${MAX_RUNS_LIMIT}`))
    .optional(),
  status: z.enum(Object.keys(RUN_STATUSES) as [RunStatus, ...RunStatus[]], oneOf(RUN_STATUSES)).optional(),
  kind: z.enum(Object.keys(RUN_KINDS) as [RunRow['kind'], ...RunRow['kind'][]], oneOf(RUN_KINDS)).optional(),
});

function listRuns(query: URLSearchParams, deps: OpsServerDeps) {
  const q = parseQuery(listQuery, query);
  const limit = q.limit ?? DEFAULT_RUNS_LIMIT;
  const runs = deps.db.runs
    .listRuns({ limit, ...(q.status ? { status: q.status } : {}), ...(q.kind ? { kind: q.kind } : {}) })
    .map((r) => viewRun(r, systemProcessTable));
  return { status: 200, json: { runs, limit } };
}

const detailQuery = z.strictObject({});

function runDetail(id: string, query: URLSearchParams, deps: OpsServerDeps) {
  parseQuery(detailQuery, query);
  const row = deps.db.runs.getRun(id);
  if (!row) throw new ApiError('E_API_NOT_FOUND', `no run with id ${JSON.stringify(id.slice(0, 200))}`);

  const run = viewRun(row, systemProcessTable);
  const { cycle, unreadable: cycleUnreadable } = cycleTimeline(deps.db.runs.listArtifacts(id, 'cycle_result'));

  let children: { runs: RunView[]; limit: number; truncated: boolean } | null = null;
  if (run.kind === 'backtest') {
    const rows = deps.db.runs.listRuns({ parentRunId: id, limit: CHILD_RUNS_LIMIT + 1 });
    children = { runs: rows.slice(0, CHILD_RUNS_LIMIT).map((r) => viewRun(r, systemProcessTable)), limit: CHILD_RUNS_LIMIT, truncated: rows.length > CHILD_RUNS_LIMIT };
  }
  return { status: 200, json: { run, cycle, ...(cycleUnreadable ? { cycleUnreadable } : {}), children } };
}

export const runsRoutes: readonly Route[] = [
  { pattern: '/runs', methods: { GET: (req, deps) => listRuns(req.query, deps) } },
  { pattern: '/runs/:id', methods: { GET: (req, deps) => runDetail(req.params.id!, req.query, deps) } },
];
