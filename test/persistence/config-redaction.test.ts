import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactSecrets } from '../../src/persistence/config-redaction.ts';

test('redaction replaces secret-looking keys, keeps structure, does not touch the input', () => {
  const input = { token: 'a', list: [{ password: 'p', keep: 1 }], nested: { API_KEY: 'k', apiKeyId: 'i', url: 'u' }, emptySecret: null };
  const out = redactSecrets(input);
  assert.deepEqual(out, { token: '***', list: [{ password: '***', keep: 1 }], nested: { API_KEY: '***', apiKeyId: '***', url: 'u' }, emptySecret: null });
  assert.equal(input.token, 'a');
});
