// Loads the configuration in layers, each overriding the one below:
//
//   defaults < built-in profile (dev|paper|prod) < profile file (JSON) < ORDINIS_* env < overrides
//
// Env values are strings and are coerced strictly (see schema.ts); the profile file and the
// overrides carry native JSON values. A map key (ORCH_STAGE_BUDGET_MS) merges entry by entry,
// every other key is replaced whole. Every problem in every layer is collected and reported
// together in one E_CFG_INVALID naming the key, where it came from, the value and what was
// expected. The result is frozen.

import { readFileSync } from 'node:fs';
import { OrdinisError } from '../errors.ts';
import {
  CONFIG_KEY_NAMES,
  ConfigSchema,
  ENV_PREFIX,
  defaultValues,
  freezeConfig,
  isConfigKey,
  keyDef,
  type ConfigInput,
  type ConfigKey,
  type OrdinisConfig,
  type ProfileName,
  REMOVED_CONFIG_KEYS,
} from './schema.ts';
import { BUILTIN_PROFILES, PROD_INVARIANTS } from './profiles.ts';
import { STAGE_ORDER } from '../kernel/stage-contract.ts';

/** Which layer set a key's value. */
export type ConfigSource = 'default' | 'profile' | 'file' | 'env' | 'override';

export interface ConfigProblem {
  /** The key (as written by the source, so possibly an unknown one); '' for a whole-file problem. */
  key: string;
  /** Where the value came from: `env ORDINIS_X`, `file ./p.json`, `override`, `profile prod`. */
  source: string;
  /** The offending value as given (secrets shown as ***). */
  value?: unknown;
  expected: string;
  /** Extra detail, e.g. which map entry was wrong. */
  detail?: string;
  /** Set when a cross-key or prod invariant failed. */
  invariant?: string;
  /** The key is not in the table. */
  unknown?: boolean;
}

export interface ConfigWarning {
  key: ConfigKey;
  message: string;
  invariant?: string;
}

/** Where `loadConfig` reads from: the profile, a profile file, the environment, overrides (later wins). */
export interface LoadConfigOptions {
  /** The profile; also settable as ORCH_PROFILE in any layer. Defaults to `defaultProfile`. */
  profile?: ProfileName;
  /** The profile when no layer chooses one (a command's own default: `ordinis backtest`'s is dev). Default paper (ORCH_PROFILE's default). */
  defaultProfile?: ProfileName;
  /** A JSON file with a flat object of keys. */
  profileFile?: string;
  /** Defaults to process.env; only ORDINIS_* variables are read. */
  env?: Record<string, string | undefined>;
  overrides?: ConfigInput;
}

/** A validated, frozen configuration with its profile, warnings and the source of every key. */
export interface LoadedConfig {
  config: OrdinisConfig;
  profile: ProfileName;
  /** Loud: each one means a safety net is off or a setting is inconsistent. Log them at warn. */
  warnings: readonly ConfigWarning[];
  sources: Readonly<Record<ConfigKey, ConfigSource>>;
}

interface Entry {
  key: string;
  value: unknown;
  /** The source label used in messages. */
  origin: string;
  fromString: boolean;
}

interface Accepted {
  key: ConfigKey;
  value: unknown;
  origin: string;
}

const MAX_SHOWN = 120;

function show(value: unknown): string {
  let s: string;
  try {
    s = value === undefined || typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}...` : s;
}

export function formatProblem(p: ConfigProblem): string {
  const head = p.key === '' ? p.source : `${p.invariant ? `invariant ${p.invariant}: ` : ''}${p.unknown ? 'unknown key ' : ''}${p.key} from ${p.source}`;
  const got = 'value' in p ? `got ${show(p.value)}; ` : '';
  return `${head}: ${got}expected ${p.expected}${p.detail ? ` (${p.detail})` : ''}`;
}

function invalid(problems: readonly ConfigProblem[]): OrdinisError {
  const n = problems.length;
  const message = n === 1
    ? formatProblem(problems[0])
    : `invalid configuration (${n} problems):\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`;
  return new OrdinisError('E_CFG_INVALID', message, { details: { problems } });
}

// ---------------------------------------------------------------------------------------
// Validating one entry of one layer.

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

function suggest(key: string): string {
  const upper = key.toUpperCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of CONFIG_KEY_NAMES) {
    const d = editDistance(upper, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(upper.length / 4)) ? `; did you mean ${best}?` : '';
}

function zodDetail(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');
}

function accept(entry: Entry, problems: ConfigProblem[]): Accepted | undefined {
  const { key, origin } = entry;
  if (!isConfigKey(key)) {
    const removed = Object.prototype.hasOwnProperty.call(REMOVED_CONFIG_KEYS, key) ? REMOVED_CONFIG_KEYS[key] : undefined;
    problems.push(
      removed
        ? { key, source: origin, value: entry.value, expected: `no setting: ${key} was removed`, detail: removed, unknown: true }
        : { key, source: origin, value: entry.value, expected: `a documented configuration key${suggest(key)}`, unknown: true },
    );
    return undefined;
  }
  const def = keyDef(key);
  const shown = def.secret ? '***' : entry.value;
  let candidate = entry.value;
  if (entry.fromString) {
    const parsed = def.parseString(String(entry.value));
    if (!parsed.ok) {
      problems.push({ key, source: origin, value: shown, expected: def.expected, ...(parsed.reason ? { detail: parsed.reason } : {}) });
      return undefined;
    }
    candidate = parsed.value;
  }
  if (candidate === undefined) {
    // An empty env secret explicitly unsets it; an undefined override is simply "not given".
    return def.secret && entry.fromString ? { key, value: undefined, origin } : undefined;
  }
  const r = def.layerSchema.safeParse(candidate);
  if (!r.success) {
    const detail = def.type === 'map' || def.type === 'list' || def.type === 'schedule' ? zodDetail(r.error) : undefined;
    problems.push({ key, source: origin, value: shown, expected: def.expected, ...(detail ? { detail } : {}) });
    return undefined;
  }
  return { key, value: r.data, origin };
}

// ---------------------------------------------------------------------------------------
// Reading the layers.

function objectEntries(obj: unknown, origin: string, problems: ConfigProblem[]): Entry[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    problems.push({ key: '', source: origin, value: obj, expected: 'a flat JSON object of configuration keys' });
    return [];
  }
  return Object.entries(obj as Record<string, unknown>).map(([key, value]) => ({ key, value, origin, fromString: false }));
}

/** How deep a profile file may nest. Its values are flat keys, maps and lists: depth 2 or 3. */
export const MAX_PROFILE_FILE_DEPTH = 32;

/**
 * The deepest bracket nesting of JSON text, counting `[` and `{` outside strings; stops
 * counting at `stopAt` (so a hostile file costs one linear scan, never a recursion). Pure.
 */
export function jsonNestingDepth(text: string, stopAt = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max && (max = depth) >= stopAt) return max;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return max;
}

function fileEntries(path: string, problems: ConfigProblem[]): Entry[] {
  const origin = `file ${path}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    problems.push({ key: '', source: origin, expected: 'a readable JSON profile file', detail: (e as Error).message });
    return [];
  }
  // Editors on Windows save UTF-8 with a byte-order mark; JSON.parse rejects it. CSV data
  // files accept it too.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // JSON.parse recurses per nesting level: 100k nested brackets overflow the stack (a
  // RangeError, not a SyntaxError), and so would printing the parsed value in a message.
  const depth = jsonNestingDepth(text, MAX_PROFILE_FILE_DEPTH + 1);
  if (depth > MAX_PROFILE_FILE_DEPTH) {
    problems.push({ key: '', source: origin, expected: `JSON nested at most ${MAX_PROFILE_FILE_DEPTH} levels deep (a flat object of keys)`, detail: `nested ${depth} or more levels deep` });
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    problems.push({ key: '', source: origin, expected: 'valid JSON', detail: (e as Error).message });
    return [];
  }
  return objectEntries(parsed, origin, problems);
}

function envEntries(env: Record<string, string | undefined>): Entry[] {
  return Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && env[name] !== undefined)
    .sort()
    .map((name) => ({ key: name.slice(ENV_PREFIX.length), value: env[name], origin: `env ${name}`, fromString: true }));
}

// ---------------------------------------------------------------------------------------
// Checks that need the merged configuration: prod invariants, cross-key rules, warnings.

function checkConfig(
  c: OrdinisConfig,
  profile: ProfileName,
  origin: (k: ConfigKey) => string,
  problems: ConfigProblem[],
  warnings: ConfigWarning[],
): void {
  for (const inv of PROD_INVARIANTS) {
    if (inv.holds(c)) continue;
    if (profile === 'prod') {
      problems.push({ key: inv.key, source: origin(inv.key), value: c[inv.key], expected: `${inv.expected} in the prod profile`, invariant: inv.id });
    } else if (origin(inv.key) !== `profile ${profile}`) {
      // A built-in profile's own value is its documented choice, not a net someone took off.
      warnings.push({
        key: inv.key,
        invariant: inv.id,
        message: `SAFETY OFF: ${inv.key}=${show(c[inv.key])} (from ${origin(inv.key)}) breaks ${inv.id}; prod requires ${inv.expected}. Allowed in ${profile} only, not recommended.`,
      });
    }
  }
  if (!c.ORCH_FAIL_CLOSED_ON_DB) {
    warnings.push({ key: 'ORCH_FAIL_CLOSED_ON_DB', message: `ORCH_FAIL_CLOSED_ON_DB=false (from ${origin('ORCH_FAIL_CLOSED_ON_DB')}): cycles run even when their run metadata cannot be persisted.` });
  }
  if (c.ORCH_RETRY_MAX_INTERVAL_MS < c.ORCH_RETRY_INITIAL_MS) {
    problems.push({
      key: 'ORCH_RETRY_MAX_INTERVAL_MS',
      source: origin('ORCH_RETRY_MAX_INTERVAL_MS'),
      value: c.ORCH_RETRY_MAX_INTERVAL_MS,
      expected: `at least ORCH_RETRY_INITIAL_MS (${c.ORCH_RETRY_INITIAL_MS}, from ${origin('ORCH_RETRY_INITIAL_MS')})`,
      invariant: 'retry.max_interval_ge_initial',
    });
  }
  if (c.EXEC_COMMISSION_MODEL === 'percent' && c.EXEC_COMMISSION_VALUE >= 1) {
    problems.push({
      key: 'EXEC_COMMISSION_VALUE',
      source: origin('EXEC_COMMISSION_VALUE'),
      value: c.EXEC_COMMISSION_VALUE,
      expected: 'a fraction of notional below 1 when EXEC_COMMISSION_MODEL=percent (0.001 = 0.1%)',
      invariant: 'exec.percent_commission_is_fraction',
    });
  }
  if (c.EXEC_COMMISSION_MODEL === 'none' && c.EXEC_COMMISSION_VALUE !== 0) {
    warnings.push({ key: 'EXEC_COMMISSION_VALUE', message: `EXEC_COMMISSION_VALUE=${c.EXEC_COMMISSION_VALUE} is ignored because EXEC_COMMISSION_MODEL=none.` });
  }
  let sum = 0;
  for (const s of STAGE_ORDER) if (!c.ORCH_STAGES_DISABLED.includes(s)) sum += c.ORCH_STAGE_BUDGET_MS[s];
  if (sum > c.ORCH_CYCLE_BUDGET_MS) {
    warnings.push({
      key: 'ORCH_STAGE_BUDGET_MS',
      message: `the enabled stages' budgets add up to ${sum} ms, more than ORCH_CYCLE_BUDGET_MS=${c.ORCH_CYCLE_BUDGET_MS}; a slow cycle will be cut short before its last stages.`,
    });
  }
}

// ---------------------------------------------------------------------------------------

/**
 * Loads and validates the configuration: defaults, then the profile (`dev`, `paper`, `prod`),
 * a profile file, `ORDINIS_*` environment variables, then `overrides`. Throws E_CFG_INVALID
 * listing every bad key with its source.
 *
 * @example
 * ```ts
 * // The defaults, whatever the environment says (tests, examples):
 * const { config } = loadConfig({ env: {} });
 * ```
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const problems: ConfigProblem[] = [];

  const fileLayer = options.profileFile !== undefined ? fileEntries(options.profileFile, problems) : [];
  const envLayer = envEntries(options.env ?? process.env);
  const overrideLayer = options.overrides !== undefined ? objectEntries(options.overrides, 'override', problems) : [];
  if (options.profile !== undefined) {
    overrideLayer.unshift({ key: 'ORCH_PROFILE', value: options.profile, origin: 'option profile', fromString: false });
  }

  const file = fileLayer.map((e) => accept(e, problems));
  const env = envLayer.map((e) => accept(e, problems));
  const override = overrideLayer.map((e) => accept(e, problems));

  const chosen = override.filter((a) => a?.key === 'ORCH_PROFILE');
  if (chosen.length === 2 && chosen[0]!.value !== chosen[1]!.value) {
    problems.push({ key: 'ORCH_PROFILE', source: 'override', value: chosen[1]!.value, expected: `the same profile as the profile option (${show(chosen[0]!.value)})` });
  }
  const pick = (layer: (Accepted | undefined)[]): ProfileName | undefined =>
    layer.filter((a) => a?.key === 'ORCH_PROFILE').pop()?.value as ProfileName | undefined;
  const profile: ProfileName = pick(override) ?? pick(env) ?? pick(file) ?? options.defaultProfile ?? (keyDef('ORCH_PROFILE').default as ProfileName);

  const profileOrigin = `profile ${profile}`;
  const builtin = objectEntries(BUILTIN_PROFILES[profile], profileOrigin, problems).map((e) => accept(e, problems));

  const values = defaultValues();
  const sources = {} as Record<ConfigKey, ConfigSource>;
  const origins = {} as Record<ConfigKey, string>;
  for (const k of CONFIG_KEY_NAMES) [sources[k], origins[k]] = ['default', 'default'];
  // A command's default profile (defaultProfile) is ORCH_PROFILE's default for that command;
  // a layer that chose the profile overwrites this below, as its source.
  if (profile !== values.ORCH_PROFILE) [values.ORCH_PROFILE, origins.ORCH_PROFILE] = [profile, 'default of the command'];

  const layers: [ConfigSource, (Accepted | undefined)[]][] = [['profile', builtin], ['file', file], ['env', env], ['override', override]];
  for (const [source, accepted] of layers) {
    for (const a of accepted) {
      if (!a) continue;
      const def = keyDef(a.key);
      values[a.key] = def.merge && a.value !== undefined ? def.merge(values[a.key], a.value) : a.value;
      sources[a.key] = source;
      origins[a.key] = a.origin;
    }
  }

  // Only accepted values were applied, so the merged object is complete and well-typed;
  // a failure here would be a bug in the key table, reported like any other problem.
  const parsed = ConfigSchema.safeParse(values);
  if (!parsed.success) {
    problems.push({ key: '', source: 'merged configuration', expected: 'a valid configuration', detail: zodDetail(parsed.error) });
    throw invalid(problems);
  }
  const config = parsed.data as OrdinisConfig;
  const warnings: ConfigWarning[] = [];
  checkConfig(config, profile, (k) => origins[k], problems, warnings);
  if (problems.length > 0) throw invalid(problems);

  return {
    config: freezeConfig(config),
    profile,
    warnings: Object.freeze(warnings),
    sources: Object.freeze(sources),
  };
}
