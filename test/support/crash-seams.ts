// Preload for the crash tests' child processes (`node --import tsx --import
// test/support/crash-seams.ts bin/ordinis-dev.js paper ...`): subscribes to the paper runtime's
// durable-write channel and, with TEST_ORDINIS_CRASH_AT=<point>:<n>, SIGKILLs the process
// (no handlers, no flush, exactly like `kill -9`) the n-th time it reaches <point>. The
// message arrives synchronously on the writing call stack, so the process dies between the
// two durable writes the point names. Without the variable it does nothing.

import { subscribe } from 'node:diagnostics_channel';
import { DURABLE_WRITE_CHANNEL, type DurableWriteMessage } from '../../src/modes/paper/durable-write-points.ts';
import { CRASH_ENV, crashCounter, parseCrashAt } from './crash-points.ts';

const raw = process.env[CRASH_ENV];
if (raw !== undefined && raw.trim() !== '') {
  const crashHere = crashCounter(parseCrashAt(raw));
  subscribe(DURABLE_WRITE_CHANNEL, (message) => {
    if (crashHere((message as DurableWriteMessage).point)) process.kill(process.pid, 'SIGKILL');
  });
}
