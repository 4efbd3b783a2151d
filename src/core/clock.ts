// Time is injected everywhere stage logic needs it, so a backtest replays bit for bit.
// Only the system clock reads the wall clock; it lives at the edge (CLI, runtime).

/** Where stage logic reads the time: injected, so a backtest or a test decides what "now" is. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock: for the edge of an application (live and paper), never inside stage logic. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: backtests set it to each bar's time. */
export class ManualClock implements Clock {
  constructor(private t = 0) {}
  now(): number {
    return this.t;
  }
  /** Moves the clock to `t` (ms since the epoch). */
  set(t: number): void {
    this.t = t;
  }
  /** Moves the clock on by `ms`. */
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * RFC 3339 (UTC, milliseconds) of a time in epoch ms: the one formatter. Times stay numbers
 * until they are persisted or printed, and are formatted there, once.
 */
export function toRfc3339(ms: number): string {
  return new Date(ms).toISOString();
}
