// `ordinis db migrate`: brings a database file up to this build's schema and does nothing
// else. Read-only commands (runs, audit verify, kill status) never migrate a file they only
// look at; after an upgrade they refuse an older file (E_DB_SCHEMA_TOO_OLD) and point here,
// so an operator can upgrade it without starting a trading loop or changing the kill switch.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { OrdinisError } from '../../errors.ts';
import { writeJson, writeText } from '../render.ts';
import { opsContext, withDb, type DbFlags } from './ops-common.ts';

interface MigrateFlags extends DbFlags {
  json?: boolean;
}

export function migrateDbCommand(flags: MigrateFlags, cmd: Command): void {
  const ctx = opsContext(flags, cmd);
  const path = resolve(ctx.config.DB_PATH);
  // A mistyped path must not create (and "migrate") a new empty database.
  if (!existsSync(path)) {
    throw new OrdinisError('E_DB_UNAVAILABLE', `no database at ${path} (pass --db FILE or set ORDINIS_DB_PATH)`, {
      retryable: false,
      details: { path },
    });
  }
  const report = withDb(ctx.openDb(path), (d) => d.migration);
  if (flags.json) {
    writeJson({ path, ...report });
    return;
  }
  writeText(
    report.applied.length === 0
      ? `${path}: already at schema version ${report.toVersion}; nothing to do\n`
      : `${path}: schema version ${report.fromVersion} -> ${report.toVersion} (applied ${report.applied.join(', ')})\n`,
  );
}
