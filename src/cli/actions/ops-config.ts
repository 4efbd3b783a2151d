// `ordinis config print`: the effective configuration after every layer (defaults < profile <
// profile file < ORDINIS_* env < command-line overrides), secrets as "***". With
// --show-sources, which layer set each key. A bad value in any layer fails the same way it
// would fail any other command: E_CFG_INVALID naming the key and where it came from.

import type { Command } from 'commander';
import type { ConfigSource, LoadedConfig } from '../../config/load.ts';
import { REDACTED, configSnapshot } from '../../config/redact.ts';
import { CONFIG_KEY_NAMES, ENV_PREFIX, formatConfigValue, keyDef, type ConfigKey } from '../../config/schema.ts';
import type { GlobalOptions } from '../context.ts';
import { clean, renderTable, writeJson, writeText } from '../render.ts';
import { opsContext, type DbFlags } from './ops-common.ts';

interface PrintFlags extends DbFlags {
  json?: boolean;
  showSources?: boolean;
}

/** The flag behind each command-line override, for --show-sources. */
const OVERRIDE_FLAGS: Partial<Record<ConfigKey, string>> = { DB_PATH: '--db', OBS_LOG_LEVEL: '--log-level', ORCH_PROFILE: '--profile' };

export function printConfigCommand(flags: PrintFlags, cmd: Command): void {
  const ctx = opsContext(flags, cmd);
  const g = cmd.optsWithGlobals() as GlobalOptions;
  const view = configView(ctx.loaded);
  if (flags.json) {
    writeJson({
      profile: view.profile,
      config: view.config,
      ...(flags.showSources ? { sources: view.sources } : {}),
      warnings: view.warnings,
    });
  } else {
    writeText(formatConfig(view, flags.showSources === true, g.config));
  }
}

export interface ConfigView {
  profile: string;
  /** Every key in table order; set secrets as "***", unset ones as null. */
  config: Record<string, unknown>;
  sources: Record<ConfigKey, ConfigSource>;
  warnings: { key: string; message: string }[];
}

export function configView(loaded: LoadedConfig): ConfigView {
  const sources = {} as Record<ConfigKey, ConfigSource>;
  for (const k of CONFIG_KEY_NAMES) sources[k] = loaded.sources[k];
  return {
    profile: loaded.profile,
    config: configSnapshot(loaded.config),
    sources,
    warnings: loaded.warnings.map((w) => ({ key: w.key, message: w.message })),
  };
}

function sourceText(key: ConfigKey, source: ConfigSource, profile: string, file: string | undefined): string {
  switch (source) {
    case 'env':
      return `env ${ENV_PREFIX}${key}`;
    case 'file':
      return file ? `file ${clean(file)}` : 'file';
    case 'profile':
      return `profile ${profile}`;
    case 'override':
      return OVERRIDE_FLAGS[key] ? `flag ${OVERRIDE_FLAGS[key]}` : 'override';
    default:
      return source;
  }
}

function valueText(key: ConfigKey, v: unknown): string {
  if (v === null || v === undefined) return keyDef(key).secret ? '(unset)' : '(null)';
  if (v === REDACTED && keyDef(key).secret) return REDACTED;
  const s = formatConfigValue(v);
  return s === '' ? '(empty)' : clean(s);
}

function formatConfig(view: ConfigView, showSources: boolean, file: string | undefined): string {
  const rows = CONFIG_KEY_NAMES.map((k) => [
    k,
    valueText(k, view.config[k]),
    ...(showSources ? [sourceText(k, view.sources[k], view.profile, file)] : []),
  ]);
  const table = renderTable([{ header: 'KEY' }, { header: 'VALUE' }, ...(showSources ? [{ header: 'SOURCE' }] : [])], rows);
  const warnings = view.warnings.length ? `\nwarnings\n${view.warnings.map((w) => `  ${clean(w.message)}`).join('\n')}\n` : '';
  return `profile ${view.profile}\n\n${table}${warnings}`;
}
