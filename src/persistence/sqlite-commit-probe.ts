// Whether another connection has committed to the database since we last asked: SQLite's
// PRAGMA data_version changes exactly then (never for this connection's own commits). A
// statement per call, no table read; the durable kill gate uses it to skip re-reading the
// kill_switch row while nobody else writes.

import type Database from 'better-sqlite3';

export function otherConnectionsCommitted(db: Database.Database): () => boolean {
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  // The first call answers true: nothing was read through this probe yet.
  let last: number | undefined;
  return () => {
    const v = dataVersion.get() as number;
    if (v === last) return false;
    last = v;
    return true;
  };
}
