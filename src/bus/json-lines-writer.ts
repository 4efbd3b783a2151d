// `ordinis paper --events [PATTERNS]`: the bus's events as JSON lines, one envelope a line,
// on a stream (stdout). A stream that fails (a reader that went away: EPIPE) ends the
// subscription and nothing else: the run goes on, its record is untouched.

import type { Bus } from './contract.ts';
import { ALL_EVENTS_PATTERN, type TopicPattern } from './topic-pattern.ts';

export interface JsonLinesWriter {
  /** Lines written. */
  readonly written: number;
  /** Stops writing (idempotent). */
  close(): void;
}

/** Subscribes to `patterns` and writes each event as a line to `out`. */
export function writeEventsAsJsonLines(bus: Bus, patterns: readonly TopicPattern[], out: NodeJS.WritableStream): JsonLinesWriter {
  let written = 0;
  // One subscription for all patterns, so overlapping ones do not write an event twice.
  let id: string | undefined = bus.subscribe({ topic: ALL_EVENTS_PATTERN, name: 'cli.events' }, (event) => {
    if (id === undefined || !patterns.some((p) => p.matches(event.event_type))) return;
    out.write(`${JSON.stringify(event)}\n`);
    written++;
  });
  const close = (): void => {
    if (id === undefined) return;
    bus.unsubscribe(id);
    id = undefined;
  };
  out.once('error', close);
  return {
    get written() {
      return written;
    },
    close,
  };
}
