// The sweep pool's thread boot (point-thread-pool.ts through backtest-requests.ts's
// workerBoot): built, it imports sweep-thread.js beside the pool and never tsx (an installed
// package may not have it); from the sources it registers tsx first. The source path runs
// for real in test/cli/sweep-cli and test/cli/sweep-queue.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workerBoot } from '../../../src/modes/backtest/backtest-requests.ts';

test('built: the boot imports sweep-thread.js beside the pool and never tsx', () => {
  const boot = workerBoot('file:///opt/app/node_modules/ordinis-orch/dist/modes/sweep/point-thread-pool.js', './sweep-thread');
  assert.equal(boot, 'import("file:///opt/app/node_modules/ordinis-orch/dist/modes/sweep/sweep-thread.js");');
  assert.doesNotMatch(boot, /tsx/);
});

test('sources: the boot registers tsx, then imports sweep-thread.ts', () => {
  const boot = workerBoot('file:///work/repo/src/modes/sweep/point-thread-pool.ts', './sweep-thread');
  assert.match(boot, /tsx\.register\(\); return import\("file:\/\/\/work\/repo\/src\/modes\/sweep\/sweep-thread\.ts"\); \}\)$/);
});
