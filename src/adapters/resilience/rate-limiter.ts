// A token bucket on an injected clock: `capacity` tokens at most (the burst), refilled
// continuously at `refillPerSecond`. A call that finds no token is refused with
// E_EXEC_RATE_LIMITED and the time until one is available (retryAfterMs). A refusal, not a
// wait: the caller (the stage's retry policy, which honours retryAfterMs) decides when to come
// back. (cockatiel has no rate limiter; its Bulkhead caps concurrency, not a rate.)

import type { Clock } from '../../core/clock.ts';
import { OrdinisError } from '../../errors.ts';

export interface RateLimiterOptions {
  clock: Clock;
  /** Bucket size = the largest burst. Default 50. */
  capacity?: number;
  /** Tokens added per second. Default 50. */
  refillPerSecond?: number;
}

export class RateLimiter {
  private tokens: number;
  private last: number;
  readonly capacity: number;
  readonly refillPerSecond: number;

  constructor(private readonly opts: RateLimiterOptions) {
    this.capacity = opts.capacity ?? 50;
    this.refillPerSecond = opts.refillPerSecond ?? 50;
    if (!(this.capacity >= 1) || !Number.isFinite(this.capacity)) throw new OrdinisError('E_CFG_INVALID', 'rate limiter: capacity must be a finite number >= 1');
    if (!(this.refillPerSecond > 0) || !Number.isFinite(this.refillPerSecond)) throw new OrdinisError('E_CFG_INVALID', 'rate limiter: refillPerSecond must be > 0');
    this.tokens = this.capacity;
    this.last = opts.clock.now();
  }

  private refill(): void {
    const now = this.opts.clock.now();
    const dt = now - this.last;
    if (dt > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + (dt * this.refillPerSecond) / 1000);
    }
    this.last = Math.max(this.last, now);
  }

  /** Tokens available now. */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Takes `n` tokens if available. */
  tryTake(n = 1): boolean {
    this.refill();
    if (this.tokens + 1e-9 < n) return false;
    this.tokens = Math.max(0, this.tokens - n);
    return true;
  }

  /** Milliseconds until `n` tokens are available (0 if they are now). */
  waitMs(n = 1): number {
    this.refill();
    const missing = n - this.tokens;
    // Rounded to the microsecond first so float dust (1.0000000000000009 ms) does not add a millisecond.
    return missing <= 1e-9 ? 0 : Math.ceil(Math.round(((missing * 1000) / this.refillPerSecond) * 1000) / 1000);
  }

  /** Takes `n` tokens or throws E_EXEC_RATE_LIMITED with retryAfterMs. */
  take(n = 1): void {
    if (this.tryTake(n)) return;
    const retryAfterMs = this.waitMs(n);
    throw new OrdinisError('E_EXEC_RATE_LIMITED', `broker rate limit: retry in ${retryAfterMs} ms`, { retryAfterMs, details: { capacity: this.capacity, refillPerSecond: this.refillPerSecond } });
  }
}
