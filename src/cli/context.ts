// What every command needs: the effective configuration, a logger on stderr, and a way to
// open the database. Built from global options and ORDINIS_* environment variables.

import { loadConfig, type LoadedConfig } from '../config/load.ts';
import type { ConfigInput, OrdinisConfig, ProfileName } from '../config/schema.ts';
import { createLogger, type Logger, type LoggerOptions } from '../observability/logger.ts';
import { AuditMacKey } from '../governance/audit-checkpoint.ts';
import { openDatabase, type OrdinisDatabase } from '../persistence/database.ts';
import type { AuditStoreOptions } from '../persistence/sqlite-audit-store.ts';

type LogDestination = NonNullable<LoggerOptions['destination']>;

export interface GlobalOptions {
  profile?: string;
  config?: string;
  db?: string;
  logLevel?: string;
}

export interface CliContext {
  loaded: LoadedConfig;
  config: OrdinisConfig;
  logger: Logger;
  openDb(path?: string): OrdinisDatabase;
}

/** `defaultProfile`: the command's profile when none is chosen (`--profile`, ORDINIS_ORCH_PROFILE, the --config file); default paper. */
/**
 * `logDestination`: where log lines go instead of stderr (`ordinis paper` on a terminal passes
 * its status line's, which keeps the status below the logs).
 */
export function makeContext(g: GlobalOptions, overrides: Record<string, unknown> = {}, defaultProfile?: ProfileName, logDestination?: LogDestination): CliContext {
  const loaded = loadConfig({
    ...(g.profile ? { profile: g.profile as 'dev' } : {}),
    ...(defaultProfile ? { defaultProfile } : {}),
    ...(g.config ? { profileFile: g.config } : {}),
    env: process.env,
    overrides: { ...(g.db ? { DB_PATH: g.db } : {}), ...(g.logLevel ? { OBS_LOG_LEVEL: g.logLevel } : {}), ...overrides } as ConfigInput,
  });
  const config = loaded.config;
  const logger = createLogger({ level: config.OBS_LOG_LEVEL, component: 'cli', ...(logDestination ? { destination: logDestination } : {}) });
  for (const w of loaded.warnings) logger.warn({ key: w.key }, w.message);
  return {
    loaded,
    config,
    logger,
    openDb: (path?: string) => openDatabase({ path: path ?? config.DB_PATH, busyTimeoutMs: config.DB_BUSY_TIMEOUT_MS, audit: auditStoreOptions(config) }),
  };
}

/** The audit store's key and checkpoint interval from the configuration. */
export function auditStoreOptions(config: OrdinisConfig): AuditStoreOptions {
  return { macKey: config.AUDIT_MAC_KEY ? new AuditMacKey(config.AUDIT_MAC_KEY) : null, checkpointEvery: config.AUDIT_CHECKPOINT_EVERY };
}
