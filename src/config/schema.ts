// Every configuration key the system reads, in one table: its type, default, description and
// how an environment string becomes a value. The zod schema, the defaults, the README table
// and the env parser are all derived from this table, so they cannot drift apart.
//
// Keys are flat UPPER_SNAKE names grouped by prefix (ORCH_, KILL_, GOV_, SB_, DB_, ...). The
// environment form of a key is the key with `ORDINIS_` in front (see load.ts).

import { DEFAULT_STAGE_BUDGET_MS } from '../kernel/stage-spec.ts';
import { z } from 'zod';
import { STAGE_ORDER, type StageName } from '../kernel/stage-contract.ts';
import { parseSchedule } from './schedule.ts';

/** How a key is typed; also the `type` column of the README's table. */
export type ConfigValueType = 'int' | 'number' | 'bool' | 'enum' | 'string' | 'secret' | 'url' | 'list' | 'map' | 'schedule';

/** The result of turning an environment string into a candidate value (validated afterwards). */
export type StringParse = { ok: true; value: unknown } | { ok: false; reason?: string };

export interface KeyDef<S extends z.ZodType = z.ZodType> {
  readonly type: ConfigValueType;
  /** Validates a complete value. */
  readonly schema: S;
  /** Validates what one layer may set: a map layer may name only some entries. */
  readonly layerSchema: z.ZodType;
  readonly default: z.output<S>;
  readonly description: string;
  /** What a valid value looks like, for error messages ("an integer >= 1"). */
  readonly expected: string;
  readonly secret: boolean;
  /** Allowed values, for enums and lists of names. */
  readonly values?: readonly string[];
  parseString(raw: string): StringParse;
  /** Combines a lower layer's value with a higher one's; default: the higher one wins. */
  merge?(lower: z.output<S>, upper: unknown): z.output<S>;
}

// ---------------------------------------------------------------------------------------
// Environment-string parsers. Strict on purpose: "1e3" is not an int, "yes" is not a bool.

const INT_RE = /^[+-]?\d+$/;
const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseIntString(raw: string): StringParse {
  const s = raw.trim();
  if (!INT_RE.test(s)) return { ok: false };
  const n = Number(s);
  return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, reason: 'out of the safe integer range' };
}

function parseNumberString(raw: string): StringParse {
  const s = raw.trim();
  return NUMBER_RE.test(s) ? { ok: true, value: Number(s) } : { ok: false };
}

function parseBoolString(raw: string): StringParse {
  switch (raw.trim()) {
    case 'true':
    case '1':
      return { ok: true, value: true };
    case 'false':
    case '0':
      return { ok: true, value: false };
    default:
      return { ok: false };
  }
}

const parseTrimmed = (raw: string): StringParse => ({ ok: true, value: raw.trim() });

function parseJson(raw: string): StringParse {
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch (e) {
    return { ok: false, reason: `not valid JSON (${(e as Error).message})` };
  }
}

/** `ANA,AUDIT` or a JSON array; blanks dropped, duplicates kept for the schema to judge. */
function parseListString(raw: string): StringParse {
  const s = raw.trim();
  if (s.startsWith('[')) return parseJson(s);
  if (s === '') return { ok: true, value: [] };
  return { ok: true, value: s.split(',').map((x) => x.trim()).filter((x) => x !== '') };
}

/** `NAME=VALUE,NAME=VALUE` or a JSON object, each value through `value` (`what` names its kind); names are judged by the schema. */
function parseMapString(raw: string, value: (raw: string) => StringParse, what: string): StringParse {
  const s = raw.trim();
  if (s.startsWith('{')) return parseJson(s);
  const out: Record<string, unknown> = {};
  if (s === '') return { ok: true, value: out };
  for (const part of s.split(',')) {
    const entry = part.trim();
    const eq = entry.indexOf('=');
    if (eq <= 0) return { ok: false, reason: `entry "${entry}" is not NAME=VALUE` };
    const name = entry.slice(0, eq).trim();
    const v = value(entry.slice(eq + 1));
    if (!v.ok) return { ok: false, reason: `entry "${entry}": value is not ${what}` };
    if (Object.prototype.hasOwnProperty.call(out, name)) return { ok: false, reason: `entry "${name}" given twice` };
    out[name] = v.value;
  }
  return { ok: true, value: out };
}

/** `ING=800,EXEC=2000` or a JSON object. Values must be integers. */
const parseIntMapString = (raw: string): StringParse => parseMapString(raw, parseIntString, 'an integer');

// ---------------------------------------------------------------------------------------
// Key builders: one per kind, each pairing a zod schema with its env parser and message.

interface Common {
  description: string;
}

function bound(min: number | undefined, max: number | undefined, what: string, minExclusive = false): string {
  const parts: string[] = [];
  if (min !== undefined) parts.push(`${minExclusive ? '>' : '>='} ${min}`);
  if (max !== undefined) parts.push(`<= ${max}`);
  return parts.length ? `${what} ${parts.join(' and ')}` : what;
}

function intKey(def: number, o: Common & { min?: number; max?: number; unit?: string }): KeyDef<z.ZodInt> {
  let schema = z.int();
  if (o.min !== undefined) schema = schema.min(o.min);
  if (o.max !== undefined) schema = schema.max(o.max);
  const expected = bound(o.min, o.max, 'an integer') + (o.unit ? ` (${o.unit})` : '');
  return { type: 'int', schema, layerSchema: schema, default: def, description: o.description, expected, secret: false, parseString: parseIntString };
}

function numberKey(def: number, o: Common & { min?: number; max?: number; minExclusive?: boolean; unit?: string }): KeyDef<z.ZodNumber> {
  let schema = z.number();
  if (o.min !== undefined) schema = o.minExclusive ? schema.gt(o.min) : schema.gte(o.min);
  if (o.max !== undefined) schema = schema.lte(o.max);
  const expected = bound(o.min, o.max, 'a number', o.minExclusive) + (o.unit ? ` (${o.unit})` : '');
  return { type: 'number', schema, layerSchema: schema, default: def, description: o.description, expected, secret: false, parseString: parseNumberString };
}

function boolKey(def: boolean, o: Common): KeyDef<z.ZodBoolean> {
  const schema = z.boolean();
  return { type: 'bool', schema, layerSchema: schema, default: def, description: o.description, expected: 'a boolean (env: true|false|1|0)', secret: false, parseString: parseBoolString };
}

function enumKey<const V extends readonly [string, ...string[]]>(values: V, def: V[number], o: Common): KeyDef<z.ZodEnum<{ [K in V[number]]: K }>> {
  const schema = z.enum(values);
  return { type: 'enum', schema, layerSchema: schema, default: def, description: o.description, expected: `one of ${values.join('|')}`, secret: false, values, parseString: parseTrimmed };
}

function stringKey(def: string, o: Common & { pattern?: RegExp; patternText?: string }): KeyDef<z.ZodString> {
  let schema = z.string().min(1);
  if (o.pattern) schema = schema.regex(o.pattern);
  const expected = o.patternText ?? 'a non-empty string';
  return { type: 'string', schema, layerSchema: schema, default: def, description: o.description, expected, secret: false, parseString: parseTrimmed };
}

function secretKey(o: Common): KeyDef<z.ZodOptional<z.ZodString>> {
  const schema = z.string().min(1).regex(/^\S+$/).optional();
  return {
    type: 'secret',
    schema,
    layerSchema: schema,
    default: undefined,
    description: o.description,
    expected: 'a non-empty string without whitespace (a secret; unset = feature off)',
    secret: true,
    // An empty env value explicitly unsets the secret rather than failing.
    parseString: (raw) => ({ ok: true, value: raw === '' ? undefined : raw }),
  };
}

function urlKey(def: string, o: Common): KeyDef<z.ZodURL> {
  const schema = z.url({ protocol: /^https?$/ });
  return { type: 'url', schema, layerSchema: schema, default: def, description: o.description, expected: 'an absolute http(s) URL', secret: false, parseString: parseTrimmed };
}

/** A key that is off until set (an empty env value unsets it): an optional path or URL. */
function optionalKey(type: 'string' | 'url', o: Common): KeyDef<z.ZodOptional<z.ZodString | z.ZodURL>> {
  const schema = (type === 'url' ? z.url({ protocol: /^https?$/ }) : z.string().min(1)).optional();
  const expected = type === 'url' ? 'an absolute http(s) URL (unset = off)' : 'a non-empty string (unset = off)';
  return { type, schema, layerSchema: schema, default: undefined, description: o.description, expected, secret: false, parseString: (raw) => ({ ok: true, value: raw.trim() === '' ? undefined : raw.trim() }) };
}

function scheduleKey(def: string, o: Common): KeyDef<z.ZodString> {
  const schema = z.string().superRefine((s, ctx) => {
    const r = parseSchedule(s);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason });
  });
  return {
    type: 'schedule',
    schema,
    layerSchema: schema,
    default: def,
    description: o.description,
    expected: 'an interval like "500ms", "30s", "1m", "1h" or a 5/6-field cron expression like "*/5 * * * *"',
    secret: false,
    parseString: parseTrimmed,
  };
}

const stageEnum = z.enum(STAGE_ORDER);
const STAGE_LIST_TEXT = STAGE_ORDER.join('|');

function stageListKey(def: readonly StageName[], o: Common): KeyDef<z.ZodArray<typeof stageEnum>> {
  const schema = z.array(stageEnum).refine((xs) => new Set(xs).size === xs.length, { message: 'a stage is named twice' });
  return {
    type: 'list',
    schema,
    layerSchema: schema,
    default: [...def],
    description: o.description,
    expected: `a list of stage names from ${STAGE_LIST_TEXT} (env: comma-separated, e.g. "ANA,AUDIT")`,
    secret: false,
    values: STAGE_ORDER,
    parseString: parseListString,
  };
}

function stageMsMapKey(def: Record<StageName, number>, o: Common): KeyDef<z.ZodRecord<typeof stageEnum, z.ZodInt>> {
  const ms = z.int().min(1);
  const schema = z.record(stageEnum, ms);
  return {
    type: 'map',
    schema,
    layerSchema: z.partialRecord(stageEnum, ms),
    default: { ...def },
    description: o.description,
    expected: `a map of stage to integer ms >= 1 over ${STAGE_LIST_TEXT} (env: "ING=800,EXEC=2000" or JSON)`,
    secret: false,
    values: STAGE_ORDER,
    parseString: parseIntMapString,
    merge: (lower, upper) => ({ ...lower, ...(upper as Partial<Record<StageName, number>>) }),
  };
}

const strategyParamsSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/), z.union([z.string(), z.number(), z.boolean()]));

/**
 * A strategy pack's raw parameters: names to strings, numbers or booleans, which the pack's
 * own schema validates when the strategy resolves (not here: the config does not know the
 * pack). A higher layer's map replaces a lower one's whole, since it may be for another pack.
 */
function strategyParamsKey(o: Common): KeyDef<typeof strategyParamsSchema> {
  const schema = strategyParamsSchema;
  return {
    type: 'map',
    schema,
    layerSchema: schema,
    default: {},
    description: o.description,
    expected: 'a map of parameter name to value (env: "fast=10,slow=30" or JSON)',
    secret: false,
    parseString: (raw) => parseMapString(raw, parseTrimmed, 'a value'),
  };
}

// ---------------------------------------------------------------------------------------
// The table. Grouped by prefix; defaults follow L2-08 §8 and SYSTEM.md.

const POLICY_VERSION = /^[a-z][a-z0-9_.-]*$/;
const POLICY_VERSION_TEXT = 'a policy version id like "gov_v1" (lower case letters, digits, _ . -)';

export const PROFILE_NAMES = ['dev', 'paper', 'prod'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

// The documented per-stage defaults are the orchestrator's own (one table, not two).
export { DEFAULT_STAGE_BUDGET_MS };

export const CONFIG_KEYS = {
  // --- profile and orchestrator (L2-08 §8)
  ORCH_PROFILE: enumKey(PROFILE_NAMES, 'paper', {
    description: 'Deployment profile; selects the built-in profile layer and the prod invariants. Also the `env` event tag. `ordinis backtest` runs dev (no drawdown guard) unless one is chosen.',
  }),
  ORCH_MODE: enumKey(['live', 'paper', 'backtest'], 'paper', { description: 'The mode a deployment is for (src/modes/mode-table.ts). The command is the mode (`ordinis backtest`, `ordinis paper`); set in env, a profile file or an override to another mode, the command refuses with E_CFG_INVALID. `live` is `ordinis live --broker NAME`.' }),
  ORCH_CYCLE_BUDGET_MS: intKey(5000, { min: 1, unit: 'ms', description: 'End-to-end budget of one cycle; past it the remaining non-critical stages are stopped.' }),
  ORCH_STAGE_BUDGET_MS: stageMsMapKey(DEFAULT_STAGE_BUDGET_MS, { description: 'Per-stage time budgets (ms); a stage is aborted when its budget is spent. A layer naming some stages keeps the others from the layer below.' }),
  ORCH_RETRY_MAX: intKey(1, { min: 0, max: 10, description: 'Retries per stage (idempotent stages only); attempts = 1 + retries.' }),
  ORCH_RETRY_INITIAL_MS: intKey(50, { min: 0, unit: 'ms', description: 'Delay before the first retry.' }),
  ORCH_RETRY_BACKOFF: numberKey(2, { min: 1, max: 10, description: 'Backoff coefficient: each retry delay is the previous one times this (before jitter).' }),
  ORCH_RETRY_MAX_INTERVAL_MS: intKey(1000, { min: 0, unit: 'ms', description: 'Cap on a single retry delay.' }),
  ORCH_FAIL_CLOSED_ON_AUDIT: boolKey(true, { description: 'An AUDIT stage failure fails the cycle (fail closed). Must be true in prod.' }),
  ORCH_DEGRADED_ALLOW_EXEC: boolKey(true, { description: 'Keep trading when the cycle is degraded (e.g. ANA failed).' }),
  ORCH_FAIL_CLOSED_ON_DB: boolKey(true, { description: 'Refuse to run a cycle when its run metadata cannot be persisted.' }),
  ORCH_MAX_CONSECUTIVE_PERSISTENCE_FAILURES: intKey(5, {
    min: 1,
    description:
      'A paper/live run stops (exit 1, E_ORCH_PERSISTENCE_FAILED with the last database error) after this many consecutive cycles with a failed database write or read; a fault that retrying cannot fix (a damaged or replaced database file) stops it at once.',
  }),
  ORCH_STAGES_DISABLED: stageListKey([], { description: 'Stages to skip; the order of the others never changes.' }),
  ORCH_SEED: intKey(42, { description: 'Seed of the random source (retry jitter, ids): same seed, same choices.' }),
  ORCH_SCHEDULE: scheduleKey('1m', { description: 'When live/paper cycles run: an interval ("30s", "1m") or a cron expression.' }),

  // --- kill switch
  KILL_FAIL_SAFE: boolKey(true, { description: 'If the kill-switch state cannot be read at start-up, assume ACTIVE. Must be true in prod.' }),
  KILL_AUTO_ON_AUDIT_FAILURE: boolKey(false, { description: 'Activate the kill switch when an audit record cannot be written (the prod profile sets true).' }),
  KILL_CIRCUIT_OPEN_MAX_MS: intKey(300000, { min: 0, unit: 'ms', description: 'Activate the kill switch when the broker circuit stays open this long; 0 disables.' }),

  // --- governance and hooks
  GOV_POLICY_VERSION: stringKey('gov_v1', { pattern: POLICY_VERSION, patternText: POLICY_VERSION_TEXT, description: 'Governance policy version stamped on every decision and audit record.' }),
  GOV_FAIL_CLOSED_EXEC: boolKey(true, { description: 'A policy error while an order is preflighted denies the order (true) or lets it through with a warning (false); either way the decision and the error are on its audit record. Must be true in prod.' }),
  HOOK_STAGE_BUDGET_MS: intKey(50, { min: 1, unit: 'ms', description: 'Time budget of the hooks at one stage boundary.' }),

  // --- streaming bus
  SB_BACKEND: enumKey(['inmemory'], 'inmemory', { description: 'Bus implementation: inmemory, one per process (events do not outlive it; Redis Streams and Kafka adapters may follow).' }),
  SB_MAX_QUEUE_DEPTH: intKey(10000, { min: 1, description: 'Per subscriber and topic, events not yet handled; past it a publish fails with E_SB_BACKPRESSURE (POST /backtests answers 503).' }),
  SB_MAX_CONCURRENCY: intKey(64, { min: 1, description: 'Handler invocations in flight across the bus.' }),
  SB_MAX_RETRIES: intKey(3, { min: 0, description: 'Handler retries before an event goes to the dead-letter queue (the dlq table in paper and serve).' }),
  SB_RETRY_BACKOFF_MS: intKey(50, { min: 0, unit: 'ms', description: 'Initial handler retry delay (doubles per retry).' }),

  // --- persistence
  DB_PATH: stringKey('./data/ordinis.db', { description: 'SQLite database file (":memory:" for a throw-away database).' }),
  DB_BUSY_TIMEOUT_MS: intKey(5000, { min: 0, unit: 'ms', description: 'SQLite busy timeout.' }),
  DB_RETENTION_DAYS: intKey(365, { min: 1, unit: 'days', description: 'Retention of run metadata, artifacts, risk decisions and dead letters, by the wall-clock time each row was stored (checked at every paper start).' }),
  AUDIT_RETENTION_DAYS: intKey(2555, { min: 1, unit: 'days', description: 'Retention of the audit log (2555 days = 7 years), by the wall-clock time each record was stored; only records already exported (ordinis audit export) are ever deleted.' }),
  AUDIT_MAC_KEY: secretKey({ description: 'Key of the HMAC-SHA256 checkpoints over the audit chain (never stored in the database); unset = no checkpoints, and a full rewrite of the chain cannot be detected.' }),
  AUDIT_CHECKPOINT_EVERY: intKey(1000, { min: 1, unit: 'records', description: 'A keyed checkpoint every this many audit records (in the append\'s transaction), plus one at the head when the database is closed.' }),
  AUDIT_VERIFY_MIN_INTERVAL_MS: intKey(10000, { min: 0, unit: 'ms', description: 'GET /audit/verify starts at most one verification per this interval; other requests get the last result with its age (unless another connection wrote to the database since).' }),
  DB_RETENTION_MAX_PURGE_PCT: intKey(50, { min: 0, max: 100, unit: 'percent', description: 'Largest share of one table\'s rows the retention at a paper start may delete; past it the start fails (E_DB_RETENTION_REFUSED) and nothing is deleted, unless `ordinis paper --allow-large-purge`. Guards against a wall clock that jumped forward.' }),

  // --- engines
  ING_MAX_STALENESS_MS: intKey(2000, { min: 1, unit: 'ms', description: 'Live data older than this (now - ts_event) is stale and blocks trading.' }),
  ING_BAD_ROW_POLICY: enumKey(['fail', 'skip'], 'fail', { description: 'A malformed data row fails ING (fail) or is skipped and counted (skip).' }),
  SIG_STRATEGY: stringKey('sma-cross', {
    description:
      'The strategy `backtest` and `paper` run: a built-in pack (sma-cross, close-sma, rsi) or a strategy file (.ts, .mts, .js, .mjs; a relative path is from the working directory). The --strategy flag, when given, wins.',
  }),
  SIG_STRATEGY_PARAMS: strategyParamsKey({
    description:
      "SIG_STRATEGY's parameters, validated by its pack's schema; applied only when the strategy run is SIG_STRATEGY's (--strategy absent or the same). --param and the built-in packs' flags (--fast, ...) override single parameters.",
  }),
  SIG_WARMUP_MODE: enumKey(['per-symbol', 'common'], 'per-symbol', {
    description:
      "When the strategy starts deciding on a multi-symbol run: per-symbol, each symbol once its own features are warm; common (backtrader's rule), no symbol until every symbol of the run is warm, then every symbol with a bar. The --warmup-mode flag of backtest and paper, when given, wins.",
  }),
  RISK_MAX_DRAWDOWN: numberKey(0.2, { min: 0, max: 1, minExclusive: true, unit: 'fraction', description: 'Hard block on new entries once the drawdown from peak equity passes this fraction; 1 = no guard (the dev profile, the backtest default). The paper and prod profiles keep the default 0.2.' }),
  RISK_MAX_POSITION_PCT: numberKey(1, { min: 0, max: 1, minExclusive: true, unit: 'fraction of equity', description: 'Cap on one symbol\'s position value as a fraction of equity (0.10 = 10%); 1 = no cap. The prod profile sets 0.10; the default has none, as the reference backtest semantics have none.' }),
  RISK_POLICY_VERSION: stringKey('risk_v1', { pattern: POLICY_VERSION, patternText: POLICY_VERSION_TEXT, description: 'Risk policy version stamped on every decision.' }),
  EXEC_FILL_TIMING: enumKey(['next_open', 'close'], 'next_open', { description: 'Paper/backtest fills at the next bar\'s open (no look-ahead) or at the signal bar\'s close.' }),
  EXEC_COMMISSION_MODEL: enumKey(['none', 'percent', 'per_share', 'fixed'], 'none', {
    description: 'Commission of backtest and paper fills: percent = EXEC_COMMISSION_VALUE x notional (a fraction), per_share = value x qty, fixed = value per order. The --commission-pct flag, when given, wins.',
  }),
  EXEC_COMMISSION_VALUE: numberKey(0, { min: 0, description: 'Commission parameter; its unit depends on EXEC_COMMISSION_MODEL (percent: fraction of notional, 0.001 = 0.1%).' }),
  EXEC_SLIPPAGE_BPS: numberKey(0, { min: 0, max: 10000, unit: 'bps', description: 'Fixed slippage applied to paper fills against the trader.' }),
  EXEC_BROKER_RATE_LIMIT_PER_SEC: numberKey(50, { min: 0, minExclusive: true, unit: 'requests/s', description: 'Client-side broker request rate limit.' }),
  EXEC_CIRCUIT_FAILURE_THRESHOLD: intKey(5, { min: 1, description: 'Consecutive broker failures that open the circuit breaker.' }),
  EXEC_CIRCUIT_RESET_MS: intKey(30000, { min: 1, unit: 'ms', description: 'How long the circuit stays open before a half-open probe.' }),
  BROKER_STARTING_CASH: numberKey(100000, { min: 0, minExclusive: true, unit: 'account currency', description: 'Paper broker starting cash.' }),
  ANA_PERIODS_PER_YEAR: intKey(252, { min: 1, description: 'Periods per year used to annualize returns and volatility (252 = daily bars).' }),

  // --- ccxt adapter (crypto venues through ccxt: --broker / --feed ccxt:EXCHANGE)
  CCXT_API_KEY: secretKey({ description: 'API key of the ccxt venue (env ORDINIS_CCXT_API_KEY, or CCXT_CREDENTIALS_FILE); unset with no file = market data only.' }),
  CCXT_SECRET: secretKey({ description: 'API secret of the ccxt venue, paired with CCXT_API_KEY.' }),
  CCXT_CREDENTIALS_FILE: optionalKey('string', { description: 'A JSON file {"apiKey", "secret", "password"?} with the ccxt venue\'s credentials, instead of CCXT_API_KEY/CCXT_SECRET (refused if other users may read it).' }),
  CCXT_SANDBOX: boolKey(true, { description: 'Trade on the venue\'s sandbox/testnet (refused for an exchange that has none); false = the live venue.' }),
  CCXT_API_URL: optionalKey('url', { description: 'Replaces the origin of every REST url of the ccxt venue (a proxy, or a local venue in tests); paths are kept.' }),
  CCXT_QUOTE_CURRENCY: stringKey('USDT', { pattern: /^[A-Z0-9]{2,12}$/, patternText: 'a currency code like USDT', description: 'The account currency on the ccxt venue: its balance is the cash; positions are the balances of each symbol\'s base currency.' }),
  CCXT_TIMEOUT_MS: intKey(10000, { min: 100, max: 120000, unit: 'ms', description: 'A ccxt request unanswered after this fails (E_EXEC_BROKER_TIMEOUT); an order\'s outcome is then resolved by its client order id.' }),
  CCXT_TIMEFRAME: stringKey('1m', { pattern: /^\d+[smhdwM]$/, patternText: 'a timeframe like 1m, 15m, 1h, 1d', description: 'The candle timeframe of the ccxt bar feed (fetchOHLCV); a bar is delivered once closed, labelled with its close time.' }),
  CCXT_POLL_MS: intKey(5000, { min: 100, unit: 'ms', description: 'How often the ccxt bar feed asks the venue for new closed candles.' }),

  // --- observability
  OBS_TRACES_EXPORTER: enumKey(['otlp', 'console', 'none'], 'none', { description: 'Trace exporter; none installs no SDK (the API stays a no-op).' }),
  OBS_OTLP_ENDPOINT: urlKey('http://127.0.0.1:4318/v1/traces', { description: 'OTLP/HTTP traces endpoint, used when OBS_TRACES_EXPORTER=otlp.' }),
  OBS_LOG_LEVEL: enumKey(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'info', { description: 'Minimum log level of the JSON logs.' }),
  OBS_TRACE_SAMPLE_RATIO: numberKey(1, { min: 0, max: 1, description: 'Fraction of cycle traces sampled (parent-based).' }),
  OBS_ALERT_CONSECUTIVE_FAILURES: intKey(3, { min: 1, description: 'Consecutive failed cycles that raise the consecutive_failed_cycles alert.' }),

  // --- control API
  API_HOST: stringKey('127.0.0.1', { pattern: /^[^\s/:]+$|^\[[0-9a-fA-F:.]+\]$|^[0-9a-fA-F:.]+$/, patternText: 'a host name or IP address (no scheme, no port)', description: 'Interface the control API binds to.' }),
  API_PORT: intKey(8700, { min: 0, max: 65535, description: 'Port of the control API (0 = any free port).' }),
  API_TOKEN: secretKey({ description: 'Bearer token for mutating API routes; unset = mutating routes are off.' }),
  API_HEADERS_TIMEOUT_MS: intKey(5000, { min: 100, max: 600000, unit: 'ms', description: 'A request\'s headers must arrive within this; a slower client gets 408 and is disconnected.' }),
  API_REQUEST_TIMEOUT_MS: intKey(10000, { min: 100, max: 600000, unit: 'ms', description: 'A whole request (headers and body) must arrive within this; a slower client gets 408 and is disconnected.' }),
  API_KEEP_ALIVE_TIMEOUT_MS: intKey(5000, { min: 100, max: 600000, unit: 'ms', description: 'An idle keep-alive connection is closed after this.' }),
  API_MAX_CONNECTIONS: intKey(64, { min: 1, max: 100000, description: 'Open connections the control API accepts at once; past it new connections are closed unanswered.' }),
  API_UNAUTHORIZED_LOG_INTERVAL_MS: intKey(60000, { min: 0, unit: 'ms', description: 'Unauthorized requests are logged once per burst: the first, then at most one line with a count per this interval (0 = every request).' }),

  // --- live trading (ordinis live --broker ..., ordinis paper --feed ...)
  LIVE_ENABLED: boolKey(false, { description: '`ordinis live` trades with real money only when this is true (and the prod profile\'s invariants hold); false refuses, naming this key.' }),
  LIVE_RECONCILE_EVERY: intKey(10, { min: 1, unit: 'cycles', description: 'A live run reconciles positions, open orders and cash with the broker after every this many cycles (and recovery does at every start); a difference beyond tolerance trips the kill switch.' }),
  LIVE_RECONCILE_CASH_TOLERANCE: numberKey(1, { min: 0, unit: 'account currency', description: 'Cash may differ from the broker\'s by this much (fees the broker charges outside fills) before reconciliation trips the kill switch.' }),
  LIVE_RECONCILE_QTY_TOLERANCE: numberKey(0, { min: 0, unit: 'shares', description: 'A position may differ from the broker\'s by this many shares before reconciliation trips the kill switch (0 = exact).' }),
  LIVE_MAX_ORDER_NOTIONAL: numberKey(10000, { min: 0, minExclusive: true, unit: 'account currency', description: 'RISK denies (RISK.ORDER.NOTIONAL_CAP) a live order worth more than this (qty x its reference price).' }),
  LIVE_MAX_ORDERS_PER_MINUTE: intKey(10, { min: 1, unit: 'orders/min', description: 'RISK denies (RISK.ORDER.RATE_CAP) a live order past this many allowed in the trailing minute of cycle time.' }),
  ALPACA_KEY_ID: secretKey({ description: 'Alpaca API key id (env ORDINIS_ALPACA_KEY_ID, or ALPACA_CREDENTIALS_FILE).' }),
  ALPACA_SECRET_KEY: secretKey({ description: 'Alpaca API secret key, paired with ALPACA_KEY_ID.' }),
  ALPACA_CREDENTIALS_FILE: optionalKey('string', { description: 'A JSON file {"keyId", "secretKey"} with the Alpaca keys, instead of ALPACA_KEY_ID/ALPACA_SECRET_KEY (refused if other users may read it).' }),
  ALPACA_TRADING_URL: urlKey('https://paper-api.alpaca.markets', { description: 'Alpaca trading API base: the paper endpoint by default; https://api.alpaca.markets trades with real money.' }),
  ALPACA_DATA_URL: urlKey('https://data.alpaca.markets', { description: 'Alpaca market-data REST base (warm-up history and the bars missed while the stream was down).' }),
  ALPACA_STREAM_URL: stringKey('wss://stream.data.alpaca.markets/v2', { pattern: /^wss?:\/\/\S+$/, patternText: 'a ws:// or wss:// URL', description: 'Alpaca market-data stream base; the feed (ALPACA_FEED) is appended.' }),
  ALPACA_FEED: enumKey(['iex', 'sip'], 'iex', { description: 'Alpaca market-data feed: iex (free) or sip (all US exchanges, a paid plan).' }),
  ALPACA_TIMEOUT_MS: intKey(10000, { min: 100, max: 120000, unit: 'ms', description: 'An Alpaca request unanswered after this fails (E_EXEC_BROKER_TIMEOUT); an order\'s outcome is then resolved by its client order id.' }),
} satisfies Record<string, KeyDef<z.ZodType>>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/**
 * Keys that were removed, with why: setting one is refused with this reason rather than as an
 * unknown key, so a profile file or environment written for an older build is told what to do.
 */
export const REMOVED_CONFIG_KEYS: Readonly<Record<string, string>> = Object.freeze({
  GOV_AUDIT_HASH_ENABLE:
    'the persisted audit log (paper, live) is always hash-chained, since `ordinis audit verify`, the HMAC checkpoints and export verification rest on the chain; a backtest keeps a completeness check instead. Delete the setting',
});
export const CONFIG_KEY_NAMES = Object.freeze(Object.keys(CONFIG_KEYS)) as readonly ConfigKey[];

type Shape = { [K in ConfigKey]: (typeof CONFIG_KEYS)[K]['schema'] };

/** Validates a complete configuration object (all keys present, no others). */
export const ConfigSchema = z.strictObject(
  Object.fromEntries(CONFIG_KEY_NAMES.map((k) => [k, CONFIG_KEYS[k].schema])) as Shape,
);

type Mutable = z.output<typeof ConfigSchema>;
type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly U[] : T extends object ? { readonly [K in keyof T]: T[K] } : T;

/** The validated, frozen configuration every engine receives. */
export type OrdinisConfig = { readonly [K in keyof Mutable]: DeepReadonly<Mutable[K]> };

/** What one layer (profile, file, overrides) may set: any subset of keys, maps partially. */
export type ConfigInput = {
  [K in ConfigKey]?: K extends 'ORCH_STAGE_BUDGET_MS' ? Partial<Record<StageName, number>> : OrdinisConfig[K];
};

export function isConfigKey(k: string): k is ConfigKey {
  return Object.prototype.hasOwnProperty.call(CONFIG_KEYS, k);
}

export function keyDef(k: ConfigKey): KeyDef {
  return CONFIG_KEYS[k] as KeyDef;
}

/** Freezes a config object and the lists and maps inside it. */
export function freezeConfig<T extends Record<string, unknown>>(c: T): T {
  for (const v of Object.values(c)) if (v !== null && typeof v === 'object') Object.freeze(v);
  return Object.freeze(c);
}

function cloneValue<T>(v: T): T {
  if (Array.isArray(v)) return [...v] as T;
  if (v !== null && typeof v === 'object') return { ...v };
  return v;
}

/** A fresh, mutable copy of the defaults (load.ts layers onto it). */
export function defaultValues(): Record<ConfigKey, unknown> {
  const out = {} as Record<ConfigKey, unknown>;
  for (const k of CONFIG_KEY_NAMES) out[k] = cloneValue(CONFIG_KEYS[k].default);
  return out;
}

export const CONFIG_DEFAULTS: OrdinisConfig = freezeConfig(ConfigSchema.parse(defaultValues()));

// ---------------------------------------------------------------------------------------
// Documentation view: the README's config table is generated from and checked against this.

export interface ConfigKeyDoc {
  key: ConfigKey;
  /** The environment variable that sets it. */
  env: string;
  /** The prefix group: ORCH, KILL, GOV, ... */
  group: string;
  type: ConfigValueType;
  /** The default value (undefined for unset secrets). */
  default: unknown;
  /** The default in its environment-string form. */
  defaultText: string;
  description: string;
  expected: string;
  secret: boolean;
  values?: readonly string[];
}

export const ENV_PREFIX = 'ORDINIS_';

/** Renders a value in the form an environment variable would take. */
export function formatConfigValue(v: unknown): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.join(',');
  if (v !== null && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}=${String(x)}`).join(',');
  return String(v);
}

export function describeConfigKeys(): ConfigKeyDoc[] {
  return CONFIG_KEY_NAMES.map((key) => {
    const d = keyDef(key);
    return {
      key,
      env: ENV_PREFIX + key,
      group: key.slice(0, key.indexOf('_')),
      type: d.type,
      default: cloneValue(d.default),
      defaultText: formatConfigValue(d.default),
      description: d.description,
      expected: d.expected,
      secret: d.secret,
      ...(d.values ? { values: d.values } : {}),
    };
  });
}

/** The README's configuration table (Markdown). */
export function renderConfigTable(): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const rows = describeConfigKeys().map((d) => {
    const def = d.secret || d.default === undefined ? '(unset)' : d.defaultText === '' ? '(empty)' : `\`${d.defaultText}\``;
    return `| \`${d.key}\` | ${d.type} | ${esc(def)} | ${esc(d.description)} |`;
  });
  return ['| Key | Type | Default | Description |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}
