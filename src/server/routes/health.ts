// Liveness and readiness. /healthz only proves the process answers; it touches nothing
// else, so a slow database never gets a live process restarted. /readyz asks the caller's
// readiness check (recovery done, database open, engine running) and answers 503 with the
// reasons while not ready.

import { errorAnswer } from '../error-status.ts';
import type { ApiReply, OpsServerDeps, Route } from '../contract.ts';

function readiness(deps: OpsServerDeps): ApiReply {
  try {
    const r = deps.readiness();
    return { status: r.ready ? 200 : 503, json: { ready: r.ready, reasons: r.ready ? [] : [...r.reasons] } };
  } catch (e) {
    // A readiness check that throws means "not ready"; the probe gets a reason, the log the error.
    deps.logger?.error({ err: e }, 'ops API: readiness check threw');
    return { status: 503, json: { ready: false, reasons: [`readiness check failed: ${errorAnswer(e).body.error.message}`] } };
  }
}

export const healthRoutes: readonly Route[] = [
  { pattern: '/healthz', methods: { GET: () => ({ status: 200, json: { ok: true } }) } },
  { pattern: '/readyz', methods: { GET: (_req, deps) => readiness(deps) } },
];
