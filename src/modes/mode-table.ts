// The modes, as one table: for each mode, which adapters a run is assembled from and which
// kernel layers wrap its cycles. A mode is a set of adapters behind the same stages and the
// same engine (LEAN's handlers, Nautilus's adapters), not a branch in the engine:
// assemble.ts reads this table, and nothing else in the system branches on the mode.
//
// Which mode runs is the command's: `ordinis backtest` runs mode backtest, `ordinis paper`
// mode paper. ORCH_MODE names the mode a deployment is for: set explicitly (env, profile
// file or override) to another mode than the command's, the command refuses with
// E_CFG_INVALID naming the key and both modes, so a process configured for one mode never
// silently runs another. The built-in profiles' value (paper) is a default, not a choice,
// and is not checked. Mode live is `ordinis live --broker NAME`: a real broker adapter and a
// live bar feed from the venue table (modes/live/venue-table.ts), on paper's durable loop.

import { OrdinisError } from '../errors.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { RunMode } from '../kernel/stage-contract.ts';

/** Kernel layers a mode's cycles compose (src/kernel/layers/), outermost first. */
export type KernelLayerName = 'trace' | 'metrics' | 'record' | 'events' | 'budget' | 'retry' | 'hooks' | 'gates';

export interface ModeSpec {
  mode: RunMode;
  /** Where bars come from (src/adapters/data/). */
  data: readonly ('file-replay' | 'live-feed')[];
  /** Who fills the orders: the simulated venue (in memory, or durable in its own SQLite tables) or a real broker adapter. */
  venue: 'simulated' | 'simulated-durable' | 'broker';
  /** Wrappers around the venue (src/adapters/resilience/, kill-switch/): always the circuit breaker; a real broker also a rate limit. */
  venueWrappers: readonly ('circuit-breaker' | 'rate-limiter' | 'durable-kill-gate')[];
  /** Order, ledger and audit stores: in memory (a backtest's run record still goes to SQLite) or SQLite. */
  stores: 'memory' | 'sqlite';
  /** Layers composed around every cycle and stage. */
  layers: readonly KernelLayerName[];
  /**
   * How the ledger is checked against the venue's account: by PORT at every cycle, exactly (a
   * simulated venue fills only inside the cycle), or periodically (a real broker fills between
   * any two reads: modes/live/ reconciles every LIVE_RECONCILE_EVERY cycles, with tolerances
   * and a confirming read; recovery checks at every start).
   */
  accountCheck: 'every-cycle' | 'periodic';
  /** Why the mode cannot run yet; absent when it can. */
  unavailable?: string;
}

// The layers every mode needs to trade safely; the others observe and record.
const SAFETY_LAYERS = ['budget', 'retry', 'hooks', 'gates'] as const satisfies readonly KernelLayerName[];

export const MODE_TABLE: Readonly<Record<RunMode, ModeSpec>> = Object.freeze({
  // Fast by doing less: no per-cycle trace or metrics; one run row for the backtest, cycle
  // records only for the cycles that did not end ok (--cycle-records).
  backtest: { mode: 'backtest', data: ['file-replay'], venue: 'simulated', venueWrappers: ['circuit-breaker'], stores: 'memory', layers: ['record', ...SAFETY_LAYERS], accountCheck: 'every-cycle' },
  // Every cycle traced, metered, recorded (run row + CycleResult) and announced on the bus;
  // EXEC re-reads the stored kill state under the write lock at each submission.
  paper: {
    mode: 'paper',
    data: ['file-replay', 'live-feed'],
    venue: 'simulated-durable',
    venueWrappers: ['circuit-breaker', 'durable-kill-gate'],
    stores: 'sqlite',
    layers: ['trace', 'metrics', 'record', 'events', ...SAFETY_LAYERS],
    accountCheck: 'every-cycle',
  },
  live: {
    mode: 'live',
    data: ['live-feed'],
    venue: 'broker',
    venueWrappers: ['circuit-breaker', 'rate-limiter', 'durable-kill-gate'],
    stores: 'sqlite',
    layers: ['trace', 'metrics', 'record', 'events', ...SAFETY_LAYERS],
    accountCheck: 'periodic',
  },
});

/** Throws E_CFG_INVALID when `mode` cannot run (a row with `unavailable`); returns its spec otherwise. */
export function runnableMode(mode: RunMode): ModeSpec {
  const spec = MODE_TABLE[mode];
  if (spec.unavailable) throw new OrdinisError('E_CFG_INVALID', `${spec.unavailable}; \`ordinis paper\` trades against a simulated venue`, { details: { mode } });
  return spec;
}

const ORIGIN: Record<string, string> = { env: 'from env ORDINIS_ORCH_MODE', file: 'from the profile file', override: 'from an override' };

/**
 * The mode a command runs (its own), after checking ORCH_MODE: an explicit ORCH_MODE naming
 * another mode refuses (E_CFG_INVALID naming the key, where it came from and both modes).
 */
export function modeForCommand(command: 'backtest' | 'paper' | 'live', loaded: Pick<LoadedConfig, 'config' | 'sources'>): ModeSpec {
  const configured = loaded.config.ORCH_MODE;
  const source = loaded.sources.ORCH_MODE;
  const explicit = source === 'env' || source === 'file' || source === 'override';
  if (explicit && configured !== command) {
    const why = MODE_TABLE[configured].unavailable ? `; ${MODE_TABLE[configured].unavailable}` : '';
    throw new OrdinisError(
      'E_CFG_INVALID',
      `ORCH_MODE=${configured} (${ORIGIN[source]}) names mode ${configured}, but \`ordinis ${command}\` runs mode ${command}${why}; unset ORCH_MODE or set it to ${command}`,
      { details: { key: 'ORCH_MODE', configured, command, source } },
    );
  }
  return runnableMode(command);
}
