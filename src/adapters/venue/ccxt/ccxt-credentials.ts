// The ccxt venue's credentials come from the environment (CCXT_API_KEY / CCXT_SECRET, secret
// config keys, redacted wherever config is shown) or from a file (CCXT_CREDENTIALS_FILE)
// that only its owner may read; never from a flag, so they stay out of shell history and ps.

import { readFileSync, statSync } from 'node:fs';
import type { OrdinisConfig } from '../../../config/schema.ts';
import { OrdinisError } from '../../../errors.ts';
import type { CcxtCredentials } from './ccxt-exchange.ts';

/** The configured credentials, or undefined when none are (market data only). E_CFG_INVALID naming the key on a bad setting. */
export function ccxtCredentials(config: Pick<OrdinisConfig, 'CCXT_API_KEY' | 'CCXT_SECRET' | 'CCXT_CREDENTIALS_FILE'>): CcxtCredentials | undefined {
  const { CCXT_API_KEY: apiKey, CCXT_SECRET: secret, CCXT_CREDENTIALS_FILE: file } = config;
  if (file !== undefined) {
    if (apiKey !== undefined || secret !== undefined) throw new OrdinisError('E_CFG_INVALID', 'CCXT_CREDENTIALS_FILE: set either it or CCXT_API_KEY/CCXT_SECRET, not both');
    return fromFile(file);
  }
  if ((apiKey === undefined) !== (secret === undefined)) {
    throw new OrdinisError('E_CFG_INVALID', `${apiKey === undefined ? 'CCXT_API_KEY' : 'CCXT_SECRET'} is unset while ${apiKey === undefined ? 'CCXT_SECRET' : 'CCXT_API_KEY'} is set: set both`);
  }
  return apiKey !== undefined && secret !== undefined ? { apiKey, secret } : undefined;
}

function fromFile(path: string): CcxtCredentials {
  const bad = (what: string): never => {
    throw new OrdinisError('E_CFG_INVALID', `CCXT_CREDENTIALS_FILE ${path}: ${what}`);
  };
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (e) {
    return bad(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  // Like ssh with a private key: a secret others may read is refused, not used.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) bad(`other users may read it (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return bad(`is not JSON (${(e as Error).message})`);
  }
  const o = (parsed ?? {}) as Record<string, unknown>;
  const str = (k: string, required: boolean): string | undefined => {
    const v = o[k];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.trim() === '') bad(`"${k}" must be a non-empty string`);
    return v as string;
  };
  const password = str('password', false);
  return { apiKey: str('apiKey', true)!, secret: str('secret', true)!, ...(password !== undefined ? { password } : {}) };
}
