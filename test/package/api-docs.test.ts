// The API reference is generated with validation (typedoc.json): an exported symbol of
// either entry point without a TSDoc summary, or a broken link in one, fails this test as it
// fails `npm run docs:api`. Nothing is written (`--emit none`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

test('every export of ordinis-orch and ordinis-orch/testing is documented (TypeDoc validation passes)', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--emit', 'none'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, out);
  assert.doesNotMatch(out, /\[warning\]|\[error\]/, out);
});
