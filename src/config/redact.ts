// Secrets never leave the process: config snapshots (run_config_snapshot), `config print` and
// logs see "***" in their place. Which keys are secret is declared once, in schema.ts.

import { CONFIG_KEY_NAMES, isConfigKey, keyDef, type ConfigInput, type ConfigKey, type OrdinisConfig } from './schema.ts';

export const REDACTED = '***';

export type RedactedConfig = { readonly [K in ConfigKey]?: unknown };

/**
 * A copy with every set secret replaced by "***" (an unset secret stays unset, so a reader
 * can still tell whether one is configured). Works on a full config or a partial layer.
 */
export function redactConfig(config: OrdinisConfig | ConfigInput): RedactedConfig {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    out[k] = isConfigKey(k) && keyDef(k).secret && v !== undefined ? REDACTED : copy(v);
  }
  return Object.freeze(out) as RedactedConfig;
}

/**
 * The immutable per-run snapshot: every key in table order, secrets redacted, unset secrets
 * as null so the snapshot is plain JSON with a stable shape.
 */
export function configSnapshot(config: OrdinisConfig): Record<string, unknown> {
  const redacted = redactConfig(config);
  const out: Record<string, unknown> = {};
  for (const k of CONFIG_KEY_NAMES) out[k] = redacted[k] ?? null;
  return out;
}

function copy(v: unknown): unknown {
  if (Array.isArray(v)) return [...v];
  if (v !== null && typeof v === 'object') return { ...v };
  return v;
}
