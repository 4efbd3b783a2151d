// The stand-alone check of an audit export file (governance/audit-export.ts), on files built
// by the same line writers the exporter uses, from a real chain: what it catches in the
// header, at the end and in between, and that a file written from the middle of a chain
// checks out from its own starting point.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GENESIS_HASH, MemoryAuditStore } from '../../src/governance/audit-chain.ts';
import { EXPORT_FORMAT, EXPORT_VERSION, exportHeaderLine, exportRecordLine, verifyExportLines } from '../../src/governance/audit-export.ts';
import { auditInput } from '../persistence/temp-database.ts';

/** Export lines (no newlines) of records (from, to] of a 6-record chain. */
function exportOf(fromSeq: number, toSeq = 6): string[] {
  const store = new MemoryAuditStore();
  for (let i = 1; i <= 6; i++) store.append(auditInput(i));
  const at = (seq: number) => (seq === 0 ? GENESIS_HASH : store.records[seq - 1]!.hashSelf);
  const header = exportHeaderLine({
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    from: { seq: fromSeq, hash: at(fromSeq) },
    to: { seq: toSeq, hash: at(toSeq) },
    count: toSeq - fromSeq,
    exportedAt: '2026-01-01T00:00:00.000Z',
    database: '/tmp/x.db',
  });
  const records = store.records.slice(fromSeq, toSeq).map((r) => exportRecordLine(r, '2026-01-01T00:00:00.000Z'));
  return [header, ...records].map((l) => l.replace(/\n$/, ''));
}

const edit = (line: string, f: (o: any) => void): string => {
  const o = JSON.parse(line);
  f(o);
  return JSON.stringify(o);
};

test('an export from genesis and one from the middle of the chain both verify on their own', () => {
  assert.deepEqual({ ...verifyExportLines(exportOf(0)), header: undefined }, { ok: true, checked: 6, header: undefined });
  const middle = verifyExportLines([...exportOf(3), '']);
  assert.equal(middle.ok, true);
  assert.equal(middle.checked, 3);
  assert.equal(middle.header?.from.seq, 3);
  // Nothing new since the last export: a header alone.
  assert.equal(verifyExportLines(exportOf(6)).ok, true);
});

test('recordedAt is not chained; every hashed field is', () => {
  const lines = exportOf(0);
  assert.equal(verifyExportLines(lines.map((l, i) => (i === 2 ? edit(l, (o) => (o.recordedAt = '2099-01-01T00:00:00.000Z')) : l))).ok, true);
  for (const field of ['ts', 'kind', 'component', 'action', 'actor', 'correlationId', 'policyVersion', 'decision', 'subjectRef']) {
    const v = verifyExportLines(lines.map((l, i) => (i === 2 ? edit(l, (o) => (o[field] = 'forged')) : l)));
    assert.deepEqual([v.ok, v.brokenAt, v.line], [false, 2, 3], field);
  }
  const payload = verifyExportLines(lines.map((l, i) => (i === 4 ? edit(l, (o) => (o.payload.qty = 1e6)) : l)));
  assert.deepEqual([payload.ok, payload.brokenAt, payload.line], [false, 4, 5]);
});

test('cut, added, reordered and unreadable records and a header that lies are caught', () => {
  const lines = exportOf(0);
  const cut = verifyExportLines(lines.slice(0, -2));
  assert.equal(cut.ok, false);
  assert.match(cut.reason!, /ends at seq 4 but its header says 6/);

  const extra = exportOf(0, 5);
  const added = verifyExportLines([extra[0]!, ...lines.slice(1)]);
  assert.equal(added.ok, false);
  assert.match(added.reason!, /past the header's last seq 5/);

  const swapped = verifyExportLines([lines[0]!, lines[1]!, lines[3]!, lines[2]!, ...lines.slice(4)]);
  assert.deepEqual([swapped.ok, swapped.brokenAt], [false, 3]);
  assert.match(swapped.reason!, /expected seq 2, found 3/);

  const garbled = verifyExportLines([lines[0]!, lines[1]!, lines[2]!.slice(0, 40), ...lines.slice(3)]);
  assert.deepEqual([garbled.ok, garbled.brokenAt, garbled.line], [false, 2, 3]);
  assert.match(garbled.reason!, /line 3: not JSON/);

  const gap = verifyExportLines([lines[0]!, lines[1]!, '', lines[2]!]);
  assert.equal(gap.ok, false);
  assert.match(gap.reason!, /empty line/);

  const wrongTo = verifyExportLines([edit(lines[0]!, (h) => (h.to.hash = 'f'.repeat(64))), ...lines.slice(1)]);
  assert.equal(wrongTo.ok, false);
  assert.match(wrongTo.reason!, /hash does not match the header/);

  const wrongFrom = verifyExportLines([edit(lines[0]!, (h) => (h.from.hash = 'f'.repeat(64))), ...lines.slice(1)]);
  assert.deepEqual([wrongFrom.ok, wrongFrom.brokenAt], [false, 1]);

  const badCount = verifyExportLines([edit(lines[0]!, (h) => (h.count = 5)), ...lines.slice(1)]);
  assert.equal(badCount.ok, false);
  assert.match(badCount.reason!, /count 5 is not to\.seq - from\.seq/);

  assert.match(verifyExportLines([]).reason!, /empty/);
  assert.match(verifyExportLines(lines.slice(1)).reason!, /not an audit export header/);
  assert.match(verifyExportLines([edit(lines[0]!, (h) => (h.version = 2)), ...lines.slice(1)]).reason!, /unsupported export version 2/);
});
