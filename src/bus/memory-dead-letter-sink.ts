// The default dead-letter sink: a bounded in-memory list. The SQLite `dlq` table implements
// the same DeadLetterSink port (persistence); this one is for dev, tests and backtests.

import type { DeadLetter, DeadLetterSink } from './contract.ts';

export const DEFAULT_DEAD_LETTER_CAPACITY = 10_000;

export class MemoryDeadLetterSink implements DeadLetterSink {
  private readonly items: DeadLetter[] = [];
  /** Entries discarded because the sink was full (oldest first out). */
  evicted = 0;

  constructor(private readonly capacity = DEFAULT_DEAD_LETTER_CAPACITY) {}

  put(entry: DeadLetter): void {
    this.items.push(entry);
    // A poison topic must not turn the DLQ into a memory leak; keep the newest entries.
    if (this.items.length > this.capacity) {
      this.items.shift();
      this.evicted++;
    }
  }

  entries(): readonly DeadLetter[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }
}
