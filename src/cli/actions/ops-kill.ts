// `ordinis kill status | activate | deactivate`: the kill switch as stored in the database.
// A change goes through a real KillSwitch over the SQLite kill_switch store, with a
// GovernanceEngine over the SQLite audit store: it is preflighted (deactivation can be
// denied), persisted, and audited with the named actor, exactly as through the ops API.
//
// This process holds its own KillSwitch for the one change. An engine running in another
// process over the same database re-reads the stored state at the start of every cycle,
// before EXEC and (paper) before each submission, so an activation stops its next order.

import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { systemClock } from '../../core/clock.ts';
import { OrdinisError, toOrdinisError } from '../../errors.ts';
import { GovernanceEngine } from '../../governance/governance-engine.ts';
import type { KillState } from '../../kill-switch/contract.ts';
import { KillSwitch } from '../../kill-switch/kill-switch.ts';
import type { OrdinisDatabase } from '../../persistence/database.ts';
import type { CliContext } from '../context.ts';
import { NONE, cell, formatTime, renderFields, writeJson, writeText } from '../render.ts';
import { MAX_ACTOR_CHARS, MAX_REASON_CHARS } from '../commands/ops-kill.ts';
import { openForReading, operatorText, opsContext, withDb, type DbFlags } from './ops-common.ts';

interface StatusFlags extends DbFlags {
  json?: boolean;
}

interface ActivateFlags extends DbFlags {
  reason?: string;
  actor?: string;
  json?: boolean;
}

interface DeactivateFlags extends DbFlags {
  actor?: string;
  json?: boolean;
}

/** The stored state; `updatedAt` is null when the switch was never set in this database. */
export type StoredKillState = Omit<KillState, 'updatedAt'> & { updatedAt: string | null };

const RUNNING_ENGINE_NOTE =
  'note: an engine running over this database adopts the change at its next cycle (it re-reads the switch before every cycle, before EXEC and, in paper mode, before each order it submits)';

export function killStatusCommand(flags: StatusFlags, cmd: Command): void {
  const ctx = opsContext(flags, cmd);
  withDb(openForReading(ctx), (db) => {
    const stored = db.killSwitch.load();
    const state: StoredKillState = stored ?? { state: 'INACTIVE', reason: null, activatedAt: null, actor: null, updatedAt: null };
    if (flags.json) writeJson({ kill: state, stored: stored !== undefined, database: db.path });
    else writeText(formatState(state, db.path, stored === undefined ? 'never set in this database' : undefined));
  });
}

export function activateKillCommand(flags: ActivateFlags, cmd: Command): void {
  const reason = operatorText('--reason', flags.reason, MAX_REASON_CHARS);
  const actor = operatorText('--actor', flags.actor, MAX_ACTOR_CHARS);
  const ctx = opsContext(flags, cmd);
  withDb(ctx.openDb(), (db) => {
    const state = change(ctx, db, (k, correlationId) => k.activate(reason, actor, correlationId));
    report(state, db.path, flags.json);
  });
}

export function deactivateKillCommand(flags: DeactivateFlags, cmd: Command): void {
  const actor = operatorText('--actor', flags.actor, MAX_ACTOR_CHARS);
  const ctx = opsContext(flags, cmd);
  withDb(ctx.openDb(), (db) => {
    const state = change(ctx, db, (k, correlationId) => k.deactivate(actor, correlationId));
    report(state, db.path, flags.json);
  });
}

/**
 * One governed transition. Refusals come back as the switch's own codes
 * (E_KILL_ALREADY_ACTIVE / _INACTIVE, E_KILL_GOV_DENIED). If it throws after the state
 * already changed (the audit write failed), the error says so: the switch did move.
 */
function change(ctx: CliContext, db: OrdinisDatabase, fn: (k: KillSwitch, correlationId: string) => KillState): KillState {
  const governance = new GovernanceEngine({ policyVersion: ctx.config.GOV_POLICY_VERSION, store: db.audit, clock: systemClock });
  const kill = new KillSwitch({ store: db.killSwitch, clock: systemClock, governance, failSafe: ctx.config.KILL_FAIL_SAFE });
  // Acting on a state we could not read would be acting blind (fail-safe would read it as ACTIVE).
  if (kill.loadError) throw toOrdinisError(kill.loadError, 'E_DB_UNAVAILABLE');
  const before = kill.get();
  try {
    return fn(kill, `cli-${randomUUID()}`);
  } catch (e) {
    const err = toOrdinisError(e);
    if (err.code === 'E_KILL_ALREADY_ACTIVE') {
      throw new OrdinisError(
        err.code,
        `kill switch already active since ${before.activatedAt ?? '?'} by ${before.actor ?? '?'} (reason: ${before.reason ?? '?'}); nothing changed`,
        { cause: e },
      );
    }
    if (err.code === 'E_KILL_ALREADY_INACTIVE') {
      throw new OrdinisError(err.code, 'kill switch already inactive; nothing changed', { cause: e });
    }
    if (kill.get().state !== before.state) {
      const now = kill.get();
      throw new OrdinisError(
        err.code,
        `kill switch is now ${now.state} in ${db.path}, but the change was not fully recorded: ${err.message}`,
        { cause: e, details: { kill: now } },
      );
    }
    throw err;
  }
}

function report(state: KillState, dbPath: string, json: boolean | undefined): void {
  if (json) writeJson({ kill: state, database: dbPath });
  else writeText(`${formatState(state, dbPath)}\n${RUNNING_ENGINE_NOTE}\n`);
}

function formatState(s: StoredKillState, dbPath: string, remark?: string): string {
  const fields: [string, string][] = [['kill switch', `${s.state}${remark ? `  (${remark})` : ''}`]];
  if (s.state === 'ACTIVE') {
    fields.push(['reason', cell(s.reason)], ['actor', cell(s.actor)], ['since', formatTime(s.activatedAt)]);
  }
  fields.push(['updated', s.updatedAt ? formatTime(s.updatedAt) : NONE], ['database', cell(dbPath)]);
  return renderFields(fields);
}
