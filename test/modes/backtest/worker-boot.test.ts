// The requested-backtest thread's boot script (backtest-requests.ts): built, it imports the
// compiled worker and nothing of tsx (an installed package may not have tsx); from the
// sources it registers tsx first. The source path runs for real in test/cli/serve-backtests.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workerBoot } from '../../../src/modes/backtest/backtest-requests.ts';

test('built: the boot imports backtest-worker.js beside the module and never tsx', () => {
  const boot = workerBoot('file:///opt/app/node_modules/ordinis-orch/dist/modes/backtest/backtest-requests.js');
  assert.equal(boot, 'import("file:///opt/app/node_modules/ordinis-orch/dist/modes/backtest/backtest-worker.js");');
  assert.doesNotMatch(boot, /tsx/);
});

test('sources: the boot registers tsx, then imports backtest-worker.ts beside the module', () => {
  const boot = workerBoot('file:///work/repo/src/modes/backtest/backtest-requests.ts');
  assert.match(boot, /^import\("file:\/\/\/[^"]*\/node_modules\/tsx\/[^"]*"\)\.then\(\(tsx\) => \{ tsx\.register\(\); return import\("file:\/\/\/work\/repo\/src\/modes\/backtest\/backtest-worker\.ts"\); \}\)$/);
});
