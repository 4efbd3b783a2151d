import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule } from '../../src/config/schedule.ts';

test('intervals in ms, s, m, h', () => {
  assert.deepEqual(parseSchedule('500ms'), { ok: true, schedule: { kind: 'interval', ms: 500 } });
  assert.deepEqual(parseSchedule('30s'), { ok: true, schedule: { kind: 'interval', ms: 30_000 } });
  assert.deepEqual(parseSchedule(' 1m '), { ok: true, schedule: { kind: 'interval', ms: 60_000 } });
  assert.deepEqual(parseSchedule('2h'), { ok: true, schedule: { kind: 'interval', ms: 7_200_000 } });
});

test('cron expressions (5 and 6 fields)', () => {
  assert.deepEqual(parseSchedule('*/5 * * * *'), { ok: true, schedule: { kind: 'cron', expression: '*/5 * * * *' } });
  assert.deepEqual(parseSchedule('0 30 9 * * 1-5'), { ok: true, schedule: { kind: 'cron', expression: '0 30 9 * * 1-5' } });
});

test('rejects zero intervals, unknown units, bad cron fields and prose', () => {
  for (const s of ['0s', '5d', '1.5m', '61 * * * *', 'every minute', '']) {
    const r = parseSchedule(s);
    assert.equal(r.ok, false, s);
  }
});
