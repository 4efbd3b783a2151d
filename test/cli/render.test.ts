import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NONE,
  cell,
  clean,
  durationBetween,
  formatDuration,
  formatMs,
  formatPct,
  formatTime,
  renderFields,
  renderTable,
  width,
} from '../../src/cli/render.ts';

test('renderTable aligns columns two spaces apart, right-aligns numbers, leaves no trailing spaces', () => {
  const out = renderTable(
    [{ header: 'ID' }, { header: 'N', align: 'right' }, { header: 'NOTE' }],
    [
      ['a', '1', NONE],
      ['long-id', '1234', 'x'],
    ],
  );
  assert.equal(out, ['ID          N  NOTE', 'a           1  —', 'long-id  1234  x', ''].join('\n'));
  // Indent applies to every line, the header included.
  assert.equal(renderTable([{ header: 'A' }], [['b']], '  '), '  A\n  b\n');
  // No rows: just the header.
  assert.equal(renderTable([{ header: 'A' }, { header: 'B' }], []), 'A  B\n');
});

test('renderFields aligns values and indents continuation lines to the value column', () => {
  assert.equal(renderFields([['run', 'r-1'], ['kill switch', 'ACTIVE'], ['x', 'a\nb']]), 'run          r-1\nkill switch  ACTIVE\nx            a\n             b\n');
  assert.equal(renderFields([['k', '']]), 'k\n');
});

test('clean and cell escape control characters so stored text cannot drive the terminal', () => {
  assert.equal(clean('a\u001b[2Jb'), 'a\\u001b[2Jb');
  assert.equal(clean('line1\nline2\r\t'), 'line1\\nline2\\r\\t');
  assert.equal(clean('\u009b31m'), '\\u009b31m');
  assert.equal(clean('café — ✓'), 'café — ✓');
  assert.equal(cell(null), NONE);
  assert.equal(cell(undefined), NONE);
  assert.equal(cell(''), NONE);
  assert.equal(cell(0), '0');
  assert.equal(cell(false), 'false');
  assert.equal(cell({ a: '\n' }), '{"a":"\\n"}');
  assert.equal(width('—x'), 2);
});

test('time, duration and number formats', () => {
  assert.equal(formatTime('2025-01-06T14:30:00.000Z'), '2025-01-06 14:30:00Z');
  assert.equal(formatTime('2025-01-06T14:30:00.250Z'), '2025-01-06 14:30:00.250Z');
  assert.equal(formatTime(null), NONE);
  assert.equal(formatTime('not a time\u0007'), 'not a time\\u0007');
  assert.equal(formatDuration(0), '0 ms');
  assert.equal(formatDuration(0.5111), '0.51 ms');
  assert.equal(formatDuration(850), '850 ms');
  assert.equal(formatDuration(12_340), '12.3 s');
  assert.equal(formatDuration(245_000), '4m 05s');
  assert.equal(formatDuration(3 * 3600_000 + 2 * 60_000), '3h 02m');
  assert.equal(formatDuration(12 * 86400_000 + 3 * 3600_000), '12d 03h');
  assert.equal(formatDuration(null), NONE);
  assert.equal(formatDuration(Number.NaN), NONE);
  assert.equal(durationBetween('2025-01-01T00:00:00Z', null), 'running');
  assert.equal(durationBetween('2025-01-01T00:00:00Z', '2025-01-01T00:00:01.500Z'), '1.5 s');
  assert.equal(durationBetween('garbage', '2025-01-01T00:00:00Z'), NONE);
  assert.equal(formatMs(3), '3');
  assert.equal(formatMs(0.123), '0.12');
  assert.equal(formatMs(12.34), '12.3');
  assert.equal(formatMs(250.5), '251');
  assert.equal(formatPct(-0.0787), '-0.08%');
  assert.equal(formatPct(null), NONE);
});
