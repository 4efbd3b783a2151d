// The built-in profiles (dev | paper | prod): the layer just above the defaults. A profile
// only names what differs from the defaults, and the prod invariants are what no layer
// above it may loosen.

import type { OrdinisConfig, ConfigInput, ConfigKey, ProfileName } from './schema.ts';

export const BUILTIN_PROFILES: Readonly<Record<ProfileName, Readonly<ConfigInput>>> = Object.freeze({
  // Local development, and `ordinis backtest`'s default: chattier logs, and no drawdown guard
  // (RISK_MAX_DRAWDOWN 1), since a guard the reference semantics do not have would stop a
  // long backtest at its first deep drawdown. Fail-closed settings stay on; loosening them is
  // an explicit choice that loadConfig reports as a warning.
  dev: Object.freeze({ ORCH_MODE: 'paper', OBS_LOG_LEVEL: 'debug', RISK_MAX_DRAWDOWN: 1 }),
  // paper and prod keep the default drawdown guard (RISK_MAX_DRAWDOWN 0.2); prod requires one.
  paper: Object.freeze({ ORCH_MODE: 'paper' }),
  // Production: every fail-closed switch pinned, and an audit write failure halts trading.
  // ORCH_MODE is left at its default: a live broker is chosen explicitly, never by profile.
  prod: Object.freeze({
    OBS_LOG_LEVEL: 'info',
    ORCH_FAIL_CLOSED_ON_AUDIT: true,
    ORCH_FAIL_CLOSED_ON_DB: true,
    KILL_FAIL_SAFE: true,
    KILL_AUTO_ON_AUDIT_FAILURE: true,
    GOV_FAIL_CLOSED_EXEC: true,
    RISK_MAX_POSITION_PCT: 0.1,
  }),
} satisfies Record<ProfileName, ConfigInput>);

export interface ConfigInvariant {
  /** Stable id, named in the error message. */
  id: string;
  key: ConfigKey;
  /** What the key must be, in words. */
  expected: string;
  holds(config: OrdinisConfig): boolean;
}

/**
 * What prod requires whatever the layers above the profile say. Outside prod each is a
 * warning, unless the value is the built-in profile's own (dev has no drawdown guard by design).
 */
export const PROD_INVARIANTS: readonly ConfigInvariant[] = Object.freeze([
  { id: 'prod.audit_fail_closed', key: 'ORCH_FAIL_CLOSED_ON_AUDIT', expected: 'true (an audit failure must fail the cycle)', holds: (c) => c.ORCH_FAIL_CLOSED_ON_AUDIT },
  { id: 'prod.kill_fail_safe', key: 'KILL_FAIL_SAFE', expected: 'true (an unreadable kill-switch state must mean ACTIVE)', holds: (c) => c.KILL_FAIL_SAFE },
  { id: 'prod.gov_fail_closed_exec', key: 'GOV_FAIL_CLOSED_EXEC', expected: 'true (a governance error must deny execution)', holds: (c) => c.GOV_FAIL_CLOSED_EXEC },
  { id: 'prod.drawdown_guard', key: 'RISK_MAX_DRAWDOWN', expected: 'below 1 (new entries must stop at a drawdown; 1 is no guard)', holds: (c) => c.RISK_MAX_DRAWDOWN < 1 },
  { id: 'prod.audit_stage_enabled', key: 'ORCH_STAGES_DISABLED', expected: 'not to contain AUDIT (audit completeness must be checked every cycle)', holds: (c) => !c.ORCH_STAGES_DISABLED.includes('AUDIT') },
] satisfies ConfigInvariant[]);
