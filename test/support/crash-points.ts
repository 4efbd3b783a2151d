// What a crash test asks for: `TEST_ORDINIS_CRASH_AT=<point>:<n>` in the child's environment
// makes the crash-seams preload (crash-seams.ts) SIGKILL the process the n-th time it passes
// <point>, one of the paper runtime's durable-write points (src/modes/paper/durable-write-points.ts).
// (Not ORDINIS_*: every ORDINIS_* variable is read as a configuration key, and unknown ones
// are refused.)

import { fileURLToPath } from 'node:url';
import { DURABLE_WRITE_POINTS, type DurableWritePoint } from '../../src/modes/paper/durable-write-points.ts';

export const CRASH_ENV = 'TEST_ORDINIS_CRASH_AT';

/** The preload a crashing child is started with: `node --import tsx --import <this> ...`. */
export const CRASH_SEAMS_PRELOAD = fileURLToPath(new URL('./crash-seams.ts', import.meta.url));

export interface CrashAt {
  point: DurableWritePoint;
  occurrence: number;
}

/** Parses `<point>:<n>`; throws naming the variable and the points on anything else. */
export function parseCrashAt(raw: string): CrashAt {
  const m = /^([a-z_.]+):(\d+)$/.exec(raw.trim());
  if (!m || !(DURABLE_WRITE_POINTS as readonly string[]).includes(m[1]!) || Number(m[2]) < 1) {
    throw new Error(`${CRASH_ENV}=${raw}: expected <point>:<n> with point one of ${DURABLE_WRITE_POINTS.join(', ')} and n >= 1`);
  }
  return { point: m[1] as DurableWritePoint, occurrence: Number(m[2]) };
}

/** Counts passes through the chosen point; true on the one to crash at. */
export function crashCounter(at: CrashAt): (point: DurableWritePoint) => boolean {
  let seen = 0;
  return (point) => point === at.point && ++seen === at.occurrence;
}
