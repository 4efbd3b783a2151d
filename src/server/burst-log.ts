// A log line per burst, not per event: a flood of unauthorized requests (or of connections
// over the cap) must not flood the log. The first event of a burst is logged in full; those
// after it are counted, and the count goes out as one summary line per interval while the
// burst lasts. An interval with none closes the burst, and the next event is logged in full.

import type { OpsLogger } from './contract.ts';

export interface BurstLogOptions {
  /** The message of every line (the summary appends the count). */
  message: string;
  /** At most one summary line per this many ms. 0: every event is logged in full. */
  intervalMs: number;
}

export class BurstLog {
  /** Events counted since the last line, the last one's fields, when the burst's last line went out. */
  private burst: { since: number; suppressed: number; last: object } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: OpsLogger | undefined,
    private readonly opts: BurstLogOptions,
  ) {}

  record(fields: object): void {
    if (!this.logger) return;
    if (this.opts.intervalMs <= 0 || !this.burst) {
      this.logger.warn(fields, this.opts.message);
      if (this.opts.intervalMs > 0) this.open();
      return;
    }
    this.burst.suppressed += 1;
    this.burst.last = fields;
  }

  /** Writes what is still counted (the server is closing) and stops the timer. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
    this.burst = undefined;
  }

  private open(): void {
    this.burst = { since: Date.now(), suppressed: 0, last: {} };
    // A timer, not the next event: the count of a burst that stopped is still written.
    this.timer = setTimeout(() => this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.flush()) this.open();
    else this.burst = undefined;
  }

  /** Logs the summary line if anything was counted; returns whether it did. */
  private flush(): boolean {
    const b = this.burst;
    if (!b || b.suppressed === 0) return false;
    this.logger!.warn({ count: b.suppressed, sinceMs: Date.now() - b.since, last: b.last }, `${this.opts.message} (${b.suppressed} more)`);
    return true;
  }
}
