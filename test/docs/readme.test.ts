// Keeps the README true: its configuration table is the schema's own rendering, and every
// `E_*` code the README or the architecture notes mention exists in the error module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderConfigTable } from '../../src/config/schema.ts';
import { ERROR_CATALOG } from '../../src/errors.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const arch = readFileSync(new URL('../../docs/ARCHITECTURE.md', import.meta.url), 'utf8');

test('the README configuration table matches the config schema', () => {
  assert.ok(readme.includes(renderConfigTable().trim()), 'regenerate the table with renderConfigTable() from src/config/schema.ts');
});

test('every error code named in the docs exists', () => {
  for (const doc of [readme, arch]) {
    for (const m of doc.matchAll(/\bE_[A-Z_]+\b/g)) {
      if (m[0] === 'E_') continue;
      assert.ok(m[0] in ERROR_CATALOG, `${m[0]} is not in src/errors.ts`);
    }
  }
});
