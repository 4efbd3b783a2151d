// A circuit breaker for broker calls: closed → (N consecutive failures) → open → (reset
// timeout) → half-open → one trial call → closed on success, open again on failure.
// Time comes from an injected clock (no timers), so tests drive it with a ManualClock.
// An outage that lasts longer than `openTooLongMs` is reported once through
// `onOpenTooLong`, so the kill switch can be activated (KILL auto-activation rule).
//
// Why not cockatiel's CircuitBreakerPolicy (weighed for this, not adopted): it reads the wall
// clock itself, with no clock to inject (v3.2.1 src/CircuitBreakerPolicy.ts:246 `Date.now() -
// state.openedAt`, :334 `openedAt: Date.now()`; ICircuitBreakerOptions, lines 51-65, has no
// clock), so a ManualClock cannot drive it and a replay would not be deterministic; its
// `execute` is `async` (:218), which would turn the synchronous paper broker of a backtest
// into promises on every order; it has no open-too-long report; and 4.x needs Node >= 22.

import type { Clock } from '../../core/clock.ts';
import { OrdinisError, isOrdinisError } from '../../errors.ts';
import { isPromiseLike, type MaybePromise } from '../../core/maybe-async.ts';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  clock: Clock;
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before a trial call is allowed (ms). Default 30000. */
  resetTimeoutMs?: number;
  /** An outage (time since the circuit first opened, across half-open retries) longer than this is reported. Default 300000. */
  openTooLongMs?: number;
  /** Called once per outage when it exceeds openTooLongMs. */
  onOpenTooLong?: (info: { openSinceMs: number; openForMs: number; failures: number }) => void;
  /** Called on every state change. */
  onStateChange?: (from: CircuitState, to: CircuitState) => void;
  /**
   * Which errors count against the broker's health. Default: anything that is not a
   * non-retryable OrdinisError (an idempotency conflict or an unknown order says nothing
   * about the venue's availability).
   */
  isFailure?: (e: unknown) => boolean;
}

const defaultIsFailure = (e: unknown): boolean => !(isOrdinisError(e) && !e.retryable);

export class CircuitBreaker {
  private st: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  /** Start of the current outage (first opening), or null when closed. */
  private outageSince: number | null = null;
  private reported = false;
  private trialInFlight = false;
  private readonly threshold: number;
  private readonly resetMs: number;
  private readonly tooLongMs: number;
  private readonly isFailure: (e: unknown) => boolean;

  constructor(private readonly opts: CircuitBreakerOptions) {
    this.threshold = opts.failureThreshold ?? 5;
    this.resetMs = opts.resetTimeoutMs ?? 30000;
    this.tooLongMs = opts.openTooLongMs ?? 300000;
    if (!Number.isInteger(this.threshold) || this.threshold < 1) throw new OrdinisError('E_CFG_INVALID', 'circuit breaker: failureThreshold must be an integer >= 1');
    if (!(this.resetMs >= 0) || !(this.tooLongMs >= 0)) throw new OrdinisError('E_CFG_INVALID', 'circuit breaker: timeouts must be >= 0');
    this.isFailure = opts.isFailure ?? defaultIsFailure;
  }

  /** The state now (an open circuit whose timeout has passed reads as half-open). */
  get state(): CircuitState {
    this.poll();
    return this.st;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Re-evaluates time-based transitions and the open-too-long report. Cheap; call it from a health check too. */
  poll(): void {
    const now = this.opts.clock.now();
    if (this.st === 'open' && now - this.openedAt >= this.resetMs) this.transition('half-open');
    if (this.tooLongMs > 0 && this.outageSince !== null && !this.reported && now - this.outageSince >= this.tooLongMs) {
      this.reported = true;
      this.opts.onOpenTooLong?.({ openSinceMs: this.outageSince, openForMs: now - this.outageSince, failures: this.failures });
    }
  }

  /** Runs `fn` through the breaker; sync results stay sync. Throws E_EXEC_CIRCUIT_OPEN when refused. */
  execute<T>(fn: () => MaybePromise<T>): MaybePromise<T> {
    this.poll();
    if (this.st === 'open' || (this.st === 'half-open' && this.trialInFlight)) {
      const retryAfterMs = this.st === 'open' ? Math.max(0, this.openedAt + this.resetMs - this.opts.clock.now()) : this.resetMs;
      throw new OrdinisError('E_EXEC_CIRCUIT_OPEN', `broker circuit is ${this.st}`, { retryAfterMs, details: { state: this.st, failures: this.failures } });
    }
    const trial = this.st === 'half-open';
    if (trial) this.trialInFlight = true;
    let out: MaybePromise<T>;
    try {
      out = fn();
    } catch (e) {
      this.settle(trial, e, true);
      throw e;
    }
    if (isPromiseLike(out)) {
      return out.then(
        (v) => {
          this.settle(trial, undefined, false);
          return v;
        },
        (e: unknown) => {
          this.settle(trial, e, true);
          throw e;
        },
      );
    }
    this.settle(trial, undefined, false);
    return out;
  }

  private settle(trial: boolean, error: unknown, failed: boolean): void {
    if (trial) this.trialInFlight = false;
    if (failed && this.isFailure(error)) {
      this.failures += 1;
      if (trial || this.failures >= this.threshold) this.open();
      return;
    }
    // An error that says nothing about the venue's health is neutral.
    if (failed) return;
    this.failures = 0;
    if (this.st !== 'closed') {
      this.transition('closed');
      this.outageSince = null;
      this.reported = false;
    }
  }

  private open(): void {
    this.openedAt = this.opts.clock.now();
    if (this.outageSince === null) this.outageSince = this.openedAt;
    this.transition('open');
    this.poll();
  }

  private transition(to: CircuitState): void {
    if (this.st === to) return;
    const from = this.st;
    this.st = to;
    this.opts.onStateChange?.(from, to);
  }
}
