// Kill switch over HTTP. The server has already checked the bearer token; these handlers
// validate the body and hand the named actor to the KillSwitch, which preflights the change
// with governance, persists it, audits it and announces it. Refusals come back as the
// switch's own codes (409 already active/inactive, 403 governance denied).
//
// The token proves the caller may operate the switch; it does not prove who they are. The
// `actor` is the caller's claim, recorded as given.

import { z } from 'zod';
import type { KillState } from '../../kill-switch/contract.ts';
import { errorAnswer } from '../error-status.ts';
import { parseBody } from '../validation.ts';
import type { ApiReply, ApiRequest, OpsServerDeps, Route } from '../contract.ts';

// Printable text only: an actor lands in logs and the audit record, where a newline or an
// escape sequence would be a way to forge lines.
const printable = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

const activateBody = z.strictObject({ reason: printable(500), actor: printable(100) });
const deactivateBody = z.strictObject({ actor: printable(100) });

/**
 * Runs a transition. If it throws after the switch already turned ACTIVE (the store or the
 * audit write failed after the state changed), the caller must learn that trading is
 * stopped in this process even though the change was not fully recorded.
 */
function transition(deps: OpsServerDeps, change: () => KillState): ApiReply {
  const wasActive = deps.kill.isActive();
  try {
    return { status: 200, json: { kill: change() } };
  } catch (e) {
    const nowActive = deps.kill.isActive();
    if (wasActive === nowActive) throw e;
    const a = errorAnswer(e);
    deps.logger?.error({ err: e, kill: deps.kill.get() }, 'ops API: kill switch changed state but the change was not fully recorded');
    return {
      status: a.status,
      json: {
        error: {
          code: a.body.error.code,
          message: `kill switch is now ${deps.kill.get().state} in this process, but the change was not fully persisted or audited`,
        },
        kill: deps.kill.get(),
      },
    };
  }
}

async function activate(req: ApiRequest, deps: OpsServerDeps): Promise<ApiReply> {
  const body = parseBody(activateBody, await req.readJson());
  return transition(deps, () => deps.kill.activate(body.reason, body.actor));
}

async function deactivate(req: ApiRequest, deps: OpsServerDeps): Promise<ApiReply> {
  const body = parseBody(deactivateBody, await req.readJson());
  return transition(deps, () => deps.kill.deactivate(body.actor));
}

export const killRoutes: readonly Route[] = [
  { pattern: '/kill/activate', methods: { POST: activate } },
  { pattern: '/kill/deactivate', methods: { POST: deactivate } },
];
