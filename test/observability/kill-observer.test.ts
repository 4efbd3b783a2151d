import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ManualClock } from '../../src/core/clock.ts';
import { KillSwitch } from '../../src/kill-switch/kill-switch.ts';
import { MemoryKillSwitchStore } from '../../src/kill-switch/contract.ts';
import { createOrchMetrics } from '../../src/observability/metrics.ts';
import { AlertMonitor } from '../../src/observability/alerts.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { observeKillSwitch } from '../../src/observability/engine-observer.ts';

test('kill-switch activations set ordinis_kill_switch_active, are counted by kind of reason and raise an error-level alert', async () => {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  const logger = createLogger({ component: 'test', level: 'info', destination });
  const metrics = createOrchMetrics();
  const kill = new KillSwitch({ store: new MemoryKillSwitchStore(), clock: new ManualClock(0), failSafe: true });
  observeKillSwitch(kill, metrics, new AlertMonitor({ logger, metrics }));
  kill.activate('ledger invariant breach: cash mismatch', 'ledger');
  const value = async (name: string) => (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name)!.values;
  assert.equal((await value('ordinis_kill_switch_active'))[0]!.value, 1);
  assert.deepEqual((await value('ordinis_kill_switch_activations_total')).map((v) => [v.labels.reason, v.value]), [['ledger_invariant', 1]]);
  kill.deactivate('alice');
  assert.equal((await value('ordinis_kill_switch_active'))[0]!.value, 0);
  const alert = lines.find((l) => l.alert === 'kill_switch_activated')!;
  assert.equal(alert.level, 'error');
  assert.deepEqual((await value('ordinis_alerts_total')).map((v) => [v.labels.alert, v.value]), [['kill_switch_activated', 1]]);
});
