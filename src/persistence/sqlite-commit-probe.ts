// What other connections changed in the database file, without reading a table: SQLite's
// PRAGMA data_version moves exactly when another connection commits (never for this
// connection's own commits), and PRAGMA schema_version when anyone changes the schema.
// The durable kill gate asks "did anyone else commit since I last asked?" to skip
// re-reading the kill_switch row; the audit checkpoints and the ops API's verifier keep a
// stamp and compare it later, so a write from outside makes them walk the chain again.

import type Database from 'better-sqlite3';

/** Which writes other connections had made when it was taken. */
export interface ChangeStamp {
  dataVersion: number;
  schemaVersion: number;
}

export function sameStamp(a: ChangeStamp, b: ChangeStamp): boolean {
  return a.dataVersion === b.dataVersion && a.schemaVersion === b.schemaVersion;
}

/** Reads the current stamp of `db`; the statements are prepared once, here. */
export function changeStampReader(db: Database.Database): () => ChangeStamp {
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const schemaVersion = db.prepare('PRAGMA schema_version').pluck();
  return () => ({ dataVersion: dataVersion.get() as number, schemaVersion: schemaVersion.get() as number });
}

/** True when another connection committed since the previous call (the first call answers true). */
export function otherConnectionsCommitted(db: Database.Database): () => boolean {
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  let last: number | undefined;
  return () => {
    const v = dataVersion.get() as number;
    if (v === last) return false;
    last = v;
    return true;
  };
}
