// What `ordinis audit` has against forgery of the whole file: `audit head` prints the chain's
// head for an operator to keep somewhere else, `audit verify --expect-head SEQ:HASH` checks
// that the chain still has it, and `audit seal` signs the chain with AUDIT_MAC_KEY once the
// operator has checked it (a new key, or a rotated one). `verify` shows the keyed
// checkpoints' verdict, or says plainly that without a key a full rewrite cannot be detected.

import type { Command } from 'commander';
import { OrdinisError } from '../../errors.ts';
import { checkExpectedHead, parseChainPoint, type ChainPoint, type CheckpointReport } from '../../governance/audit-checkpoint.ts';
import type { OrdinisDatabase } from '../../persistence/database.ts';
import { cell, plural, renderFields, writeJson, writeText } from '../render.ts';
import { openForReading, opsContext, withDb, type DbFlags } from './ops-common.ts';

/** --expect-head's value, checked before anything is opened. */
export function parseExpectHead(raw: string | undefined): ChainPoint | undefined {
  if (raw === undefined) return undefined;
  const p = parseChainPoint(raw);
  if (!p) {
    throw new OrdinisError('E_CFG_INVALID', `--expect-head must be SEQ:HASH (a seq, a colon, 64 lowercase hex digits, as printed by \`ordinis audit head\`), got ${JSON.stringify(raw.slice(0, 100))}`);
  }
  return p;
}

export interface ExpectedHeadCheck extends ChainPoint {
  ok: boolean;
  reason: string | null;
}

export function checkExpectHead(db: OrdinisDatabase, expected: ChainPoint): ExpectedHeadCheck {
  const reason = checkExpectedHead(expected, { anchor: db.audit.anchor(), head: db.audit.head(), hashAt: (s) => db.audit.hashAt(s) });
  return { ...expected, ok: reason === null, reason };
}

/** The checkpoints' verdict as `verify` prints it: one line, then its warnings (none checked: no key). */
export function checkpointFields(c: CheckpointReport | undefined): [string, string][] {
  if (!c || !c.keyed) return [['checkpoints', 'not checked: no AUDIT_MAC_KEY, so a full rewrite of the chain (recomputed hashes) or a moved anchor cannot be detected']];
  const parts = [`${plural(c.valid, 'valid checkpoint')} (key ${c.keyId})`];
  if (c.otherKey > 0) parts.push(`${c.otherKey} signed with another key`);
  if (c.lastSealed) parts.push(`last at seq ${c.lastSealed.seq}, ${plural(c.unsealed, 'record')} after it`);
  const fields: [string, string][] = [['checkpoints', parts.join('; ')]];
  for (const w of c.warnings) fields.push(['warning', cell(w)]);
  return fields;
}

export function auditHeadCommand(flags: DbFlags & { json?: boolean }, cmd: Command): void {
  const ctx = opsContext(flags, cmd);
  withDb(openForReading(ctx), (db) => {
    const head = db.audit.head();
    const expectHead = `${head.seq}:${head.hash}`;
    if (flags.json) writeJson({ seq: head.seq, hash: head.hash, expectHead, database: db.path });
    else writeText(renderFields([['head', `seq ${head.seq}  ${head.hash}`], ['expect-head', expectHead], ['database', cell(db.path)]]));
  });
}

export function sealAuditCommand(flags: DbFlags & { json?: boolean; expectHead?: string }, cmd: Command): void {
  const expected = parseExpectHead(flags.expectHead);
  const ctx = opsContext(flags, cmd);
  if (!ctx.config.AUDIT_MAC_KEY) throw new OrdinisError('E_CFG_INVALID', 'AUDIT_MAC_KEY is not set (ORDINIS_AUDIT_MAC_KEY): there is no key to seal the audit chain with');
  withDb(ctx.openDb(), (db) => {
    if (expected) {
      const e = checkExpectHead(db, expected);
      if (!e.ok) throw new OrdinisError('E_AUDIT_CHAIN_BROKEN', `refusing to seal: expected head seq ${e.seq}: ${e.reason}`);
    }
    const r = db.audit.seal();
    const head = db.audit.head();
    if (flags.json) writeJson({ keyId: r.keyId, signed: r.signed, head, database: db.path });
    else {
      const what = r.signed.length === 0 ? 'nothing to sign (already sealed)' : r.signed.map((s) => `${s.kind} seq ${s.seq}`).join(', ');
      writeText(renderFields([['sealed', what], ['key', r.keyId], ['head', `seq ${head.seq}  ${head.hash}`], ['database', cell(db.path)]]));
    }
  });
}
