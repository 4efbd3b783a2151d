// The audit chain's single-row tables (`audit_head`, `audit_anchor`): each holds exactly one
// row (id = 1), kept so by triggers. Someone with write access can drop the triggers and
// delete the row; reading it then yields nothing, and every reader and writer must say so
// by name rather than fail on `undefined.seq` as an internal error.

import type Database from 'better-sqlite3';
import { OrdinisError } from '../errors.ts';
import type { ChainPoint } from './sqlite-audit-store.ts';

/** A prepared `SELECT seq, hash FROM <table> WHERE id = 1` whose missing row is E_AUDIT_CHAIN_BROKEN. */
export interface ChainPointQuery {
  get(): ChainPoint;
}

export function chainPointQuery(db: Database.Database, table: 'audit_head' | 'audit_anchor', path: string): ChainPointQuery {
  const stmt = db.prepare(`SELECT seq, hash FROM ${table} WHERE id = 1`);
  return {
    get(): ChainPoint {
      const row = stmt.get() as ChainPoint | undefined;
      if (row) return row;
      throw new OrdinisError(
        'E_AUDIT_CHAIN_BROKEN',
        `${table} has no row (id = 1) in ${path}: it was deleted outside the audit store, so the audit chain can be neither verified nor extended; restore the database from a backup`,
        { details: { table, path } },
      );
    },
  };
}
