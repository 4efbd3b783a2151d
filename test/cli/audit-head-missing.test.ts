// The audit chain's single-row tables (audit_head, audit_anchor) deleted behind the store's
// back, after dropping the triggers that forbid it: every reader and writer says which
// table lost its row (E_AUDIT_CHAIN_BROKEN), never E_INTERNAL from reading a missing row.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/persistence/database.ts';
import { OrdinisError } from '../../src/errors.ts';
import { auditInput } from '../persistence/temp-database.ts';
import { cli, failsWith, tempDbPath } from './cli-harness.ts';

/** A database with three chained records whose `table` row was then deleted. */
function withoutRow(path: string, table: 'audit_head' | 'audit_anchor'): void {
  const db = openDatabase({ path });
  try {
    for (let i = 1; i <= 3; i++) db.audit.append(auditInput(i));
    const h = db.handle;
    for (const name of h.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?").pluck().all(table) as string[]) {
      h.exec(`DROP TRIGGER "${name}"`);
    }
    h.exec(`DELETE FROM ${table}`);
  } finally {
    db.close();
  }
}

const brokenNaming = (table: string) => (e: unknown) =>
  e instanceof OrdinisError && e.code === 'E_AUDIT_CHAIN_BROKEN' && new RegExp(`${table} has no row`).test(e.message);

test('a missing audit_head or audit_anchor row: reads and appends fail naming the table', (t) => {
  for (const table of ['audit_head', 'audit_anchor'] as const) {
    const { db: path } = tempDbPath(t, `${table}.db`);
    withoutRow(path, table);
    const db = openDatabase({ path });
    try {
      assert.throws(() => db.audit.verify(), brokenNaming(table));
      if (table === 'audit_head') {
        assert.throws(() => db.audit.head(), brokenNaming(table));
        assert.throws(() => db.audit.append(auditInput(4)), brokenNaming(table));
      } else {
        assert.throws(() => db.audit.anchor(), brokenNaming(table));
      }
      assert.equal(db.handle.prepare('SELECT COUNT(*) FROM audit_log').pluck().get(), 3, 'nothing appended');
    } finally {
      db.close();
    }
  }
});

test('ordinis audit verify with the audit_head row deleted: E_AUDIT_CHAIN_BROKEN naming audit_head, exit 1', async (t) => {
  const { db: path } = tempDbPath(t);
  withoutRow(path, 'audit_head');
  const [json, text] = await Promise.all([cli(['audit', 'verify', '--db', path, '--json']), cli(['audit', 'verify', '--db', path])]);
  for (const r of [json, text]) failsWith(r, 'E_AUDIT_CHAIN_BROKEN', /audit_head has no row \(id = 1\).*deleted outside the audit store/);
});
