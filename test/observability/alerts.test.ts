import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertMonitor, INITIAL_ALERT_STATE, stepAlerts, type Alert, type AlertInput, type AlertState } from '../../src/observability/alerts.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createOrchMetrics } from '../../src/observability/metrics.ts';
import type { CycleStatusLabel } from '../../src/observability/metrics.ts';

const cycle = (status: CycleStatusLabel, i = 0): AlertInput => ({ kind: 'cycle', status, correlationId: `c-${i}`, errorCodes: status === 'failed' ? ['E_ORCH_STAGE_FAILED'] : [] });

function run(statuses: CycleStatusLabel[], threshold = 3): { state: AlertState; raisedAt: number[]; resolvedAt: number[] } {
  let state = INITIAL_ALERT_STATE;
  const raisedAt: number[] = [];
  const resolvedAt: number[] = [];
  statuses.forEach((s, i) => {
    const step = stepAlerts(state, cycle(s, i), threshold);
    state = step.state;
    if (step.raised.length) raisedAt.push(i);
    if (step.resolved.length) resolvedAt.push(i);
  });
  return { state, raisedAt, resolvedAt };
}

test('stepAlerts: the alert fires once, when the streak reaches the threshold', () => {
  const r = run(['failed', 'failed', 'failed', 'failed', 'failed']);
  assert.deepEqual(r.raisedAt, [2]);
  assert.deepEqual(r.state, { consecutiveFailed: 5, streakAlerted: true });
  assert.deepEqual(run(['failed', 'failed']).raisedAt, []);
  assert.deepEqual(run(['failed'], 1).raisedAt, [0]);
});

test('stepAlerts: ok and degraded end a streak (resolving a raised alert); blocked is neutral', () => {
  assert.deepEqual(run(['failed', 'failed', 'ok', 'failed', 'failed']).raisedAt, []);
  assert.deepEqual(run(['failed', 'failed', 'degraded', 'failed']).state, { consecutiveFailed: 1, streakAlerted: false });
  assert.deepEqual(run(['failed', 'blocked', 'failed', 'blocked', 'failed']).raisedAt, [4]);
  const r = run(['failed', 'failed', 'failed', 'ok', 'failed', 'failed', 'failed']);
  assert.deepEqual(r.raisedAt, [2, 6]);
  assert.deepEqual(r.resolvedAt, [3]);
  assert.deepEqual(run(['ok', 'ok']).resolvedAt, [], 'nothing to resolve without an alert');
});

test('stepAlerts: every audit failure and every kill activation is an alert, streak untouched', () => {
  const s = { consecutiveFailed: 2, streakAlerted: false };
  const audit = stepAlerts(s, { kind: 'audit_failure', correlationId: 'c-1', errorCode: 'E_GOV_AUDIT_WRITE_FAILED', message: 'disk full' }, 3);
  assert.equal(audit.state, s);
  assert.deepEqual(audit.raised, [{ alert: 'audit_failure', message: 'audit failure (E_GOV_AUDIT_WRITE_FAILED): disk full', fields: { correlation_id: 'c-1', error_code: 'E_GOV_AUDIT_WRITE_FAILED' } }]);
  const kill = stepAlerts(s, { kind: 'kill_activated', reason: 'ledger invariant breach', actor: 'system' }, 3);
  assert.deepEqual(kill.raised, [{ alert: 'kill_switch_activated', message: 'kill switch activated: ledger invariant breach', fields: { reason: 'ledger invariant breach', actor: 'system' } }]);
});

test('AlertMonitor: logs at error, counts ordinis_alerts_total, keeps the streak gauge, feeds the sink', async () => {
  const chunks: string[] = [];
  const logger = createLogger({ component: 'alerts', destination: { write: (s: string) => void chunks.push(s) } });
  const metrics = createOrchMetrics();
  const sunk: Alert[] = [];
  const monitor = new AlertMonitor({ logger, metrics, consecutiveFailureThreshold: 2, onAlert: (a) => void sunk.push(a) });

  assert.deepEqual(monitor.cycleFinished({ status: 'failed', correlationId: 'c-1' }), []);
  const raised = monitor.cycleFinished({ status: 'failed', correlationId: 'c-2', errorCodes: ['E_EXEC_BROKER_UNAVAILABLE'] });
  assert.deepEqual(raised.map((a) => a.alert), ['consecutive_failed_cycles']);
  assert.equal(monitor.state.consecutiveFailed, 2);
  monitor.auditFailed({ correlationId: 'c-3', errorCode: 'E_GOV_AUDIT_WRITE_FAILED' });
  monitor.killActivated({ reason: 'audit write failure', actor: 'system' });
  monitor.cycleFinished({ status: 'ok', correlationId: 'c-4' });

  const lines = chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const errors = lines.filter((l) => l.level === 'error');
  assert.deepEqual(errors.map((l) => l.alert), ['consecutive_failed_cycles', 'audit_failure', 'kill_switch_activated']);
  assert.equal(errors[0].consecutive_failed, 2);
  assert.equal(errors[0].correlation_id, 'c-2');
  assert.deepEqual(errors[0].error_codes, ['E_EXEC_BROKER_UNAVAILABLE']);
  assert.match(String(errors[0].msg), /^ALERT consecutive_failed_cycles: 2 consecutive failed cycles \(threshold 2\)$/);
  assert.deepEqual(lines.filter((l) => l.resolved).map((l) => [l.level, l.alert]), [['info', 'consecutive_failed_cycles']]);
  assert.deepEqual(sunk.map((a) => a.alert), ['consecutive_failed_cycles', 'audit_failure', 'kill_switch_activated']);

  const text = await metrics.registry.metrics();
  assert.match(text, /^ordinis_alerts_total\{alert="consecutive_failed_cycles"\} 1$/m);
  assert.match(text, /^ordinis_alerts_total\{alert="audit_failure"\} 1$/m);
  assert.match(text, /^ordinis_alerts_total\{alert="kill_switch_activated"\} 1$/m);
  assert.match(text, /^ordinis_consecutive_failed_cycles 0$/m);
});

test('AlertMonitor: a failing sink is logged, not thrown; the default threshold is 3; bad thresholds are refused', () => {
  const chunks: string[] = [];
  const logger = createLogger({ component: 'alerts', destination: { write: (s: string) => void chunks.push(s) } });
  const monitor = new AlertMonitor({ logger, onAlert: () => { throw new Error('pager down'); } });
  for (let i = 0; i < 2; i++) assert.deepEqual(monitor.cycleFinished({ status: 'failed', correlationId: `c-${i}` }), []);
  assert.equal(monitor.cycleFinished({ status: 'failed', correlationId: 'c-3' }).length, 1);
  assert.match(chunks.join(''), /"level":"warn".*"msg":"alert sink failed"/);
  assert.throws(() => new AlertMonitor({ logger, consecutiveFailureThreshold: 0 }), /E_CFG_INVALID/);
  assert.throws(() => new AlertMonitor({ logger, consecutiveFailureThreshold: 1.5 }), /E_CFG_INVALID/);
});
