// One exec.submit audit record per order, whatever the crash: `ordinis paper` is SIGKILLed
// (TEST_ORDINIS_CRASH_AT=exec.before_audit_ref) after an order's submission audit record was
// appended and before the order's audit_ref was set, then restarted. The append and the ref
// are one transaction, so the crash leaves neither and recovery writes the record once; and
// recovery adopts a record it finds for the order (a database written by a version that
// committed the two apart) instead of appending a second.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../src/persistence/database.ts';
import type { AuditRecord } from '../../../src/governance/audit-chain.ts';
import type { PaperRunSummary } from '../../../src/modes/paper/paper-runtime.ts';
import { CRASH_ENV, CRASH_SEAMS_PRELOAD } from '../../support/crash-points.ts';
import { runCli, type Finished } from '../paper/cli-process.ts';
import { assertBooksSound, readBooks } from '../paper/paper-support.ts';

const PAPER_ARGS = ['--log-level', 'warn', 'paper', '--to', '1996-06-30', '--fast', '5', '--slow', '15', '--qty', '10', '--cash', '10000', '--json'];

const dir = mkdtempSync(join(tmpdir(), 'ordinis-submit-audit-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// The sample's bars are from 1995: keep retention from ageing this test's records away.
const KEEP = { ORDINIS_AUDIT_RETENTION_DAYS: '36500', ORDINIS_DB_RETENTION_DAYS: '36500' };

function paper(db: string, crashAt?: string): Promise<Finished> {
  return crashAt ? runCli([...PAPER_ARGS, '--db', db], { ...KEEP, [CRASH_ENV]: crashAt }, { preload: [CRASH_SEAMS_PRELOAD] }) : runCli([...PAPER_ARGS, '--db', db], KEEP);
}

function summaryOf(f: Finished): PaperRunSummary {
  assert.equal(f.code, 0, `paper exited ${f.code} (${f.signal}); stderr:\n${f.stderr.slice(-3000)}`);
  return JSON.parse(f.stdout.trim().split('\n').at(-1)!) as PaperRunSummary;
}

/** exec.submit records by subject (client order id), and every order's audit_ref. */
function submissions(path: string): { bySubject: Map<string, AuditRecord[]>; auditRefs: Map<string, number | null> } {
  const db = openDatabase({ path });
  try {
    const orders = db.orders.listAll();
    const ids = orders.map((o) => o.intent.clientOrderId);
    const bySubject = new Map<string, AuditRecord[]>(ids.map((id) => [id, []]));
    for (const r of db.audit.findBySubject(ids)) if (r.kind === 'exec.submit') bySubject.get(r.subjectRef!)!.push(r);
    return { bySubject, auditRefs: new Map(orders.map((o) => [o.intent.clientOrderId, o.auditRef])) };
  } finally {
    db.close();
  }
}

/** Crashes at the third order's ref update; returns the order it cut short. */
async function crashBeforeAuditRef(db: string): Promise<string> {
  const f = await paper(db, 'exec.before_audit_ref:3');
  assert.equal(f.signal, 'SIGKILL', `expected a SIGKILL; exited ${f.code}; stderr:\n${f.stderr.slice(-2000)}`);
  const s = submissions(db);
  const cut = [...s.auditRefs].filter(([, ref]) => ref === null).map(([id]) => id);
  assert.equal(cut.length, 1, `one order without audit_ref after the crash, found ${cut.length}`);
  return cut[0]!;
}

function assertOneSubmitRecordPerOrder(db: string): void {
  const s = submissions(db);
  assert.ok(s.bySubject.size >= 3);
  for (const [id, recs] of s.bySubject) {
    assert.equal(recs.length, 1, `order ${id} has ${recs.length} exec.submit audit records (seqs ${recs.map((r) => r.seq).join(', ')})`);
    assert.equal(s.auditRefs.get(id), recs[0]!.seq, `order ${id}'s audit_ref points at its record`);
  }
}

describe('exec.submit audit record and audit_ref: one transaction, recovery idempotent', { concurrency: 2 }, () => {
  it('a crash between the append and the ref update leaves neither; the restart writes exactly one record', async () => {
    const db = join(dir, 'tx.db');
    const id = await crashBeforeAuditRef(db);
    assert.deepEqual(submissions(db).bySubject.get(id), [], 'the append rolled back with the ref update');

    const s = summaryOf(await paper(db));
    assert.ok(s.recovery.ok);
    assertOneSubmitRecordPerOrder(db);
    const rec = submissions(db).bySubject.get(id)![0]!;
    assert.equal(rec.payload.recovered, true, 'recovery wrote the record of the order the crash cut short');
    assertBooksSound(readBooks(db));
  });

  it('recovery adopts an exec.submit record already on file for an order without audit_ref instead of appending a second', async () => {
    const db = join(dir, 'adopt.db');
    const id = await crashBeforeAuditRef(db);
    // What a version that committed the append and the ref apart left behind: the record is
    // on file, the order does not point at it.
    const h = openDatabase({ path: db });
    let seq: number;
    try {
      const order = h.orders.findByClientOrderId(id)!;
      seq = h.audit.append({
        ts: new Date(order.lastReport!.ts).toISOString(),
        kind: 'exec.submit',
        component: 'exec',
        action: 'order.submit',
        actor: 'ordinis',
        correlationId: order.intent.correlationId,
        policyVersion: 'test',
        decision: order.lastReport!.status,
        subjectRef: id,
        payload: { brokerOrderId: order.lastReport!.orderId },
      }).seq;
    } finally {
      h.close();
    }

    const s = summaryOf(await paper(db));
    assert.ok(s.recovery.ok);
    assertOneSubmitRecordPerOrder(db);
    assert.equal(submissions(db).auditRefs.get(id), seq, 'the order adopted the record on file');
    assertBooksSound(readBooks(db));
  });
});
