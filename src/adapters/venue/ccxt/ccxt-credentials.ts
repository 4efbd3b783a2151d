// The ccxt venue's credentials come from the environment (CCXT_API_KEY / CCXT_SECRET, secret
// config keys, redacted wherever config is shown) or from a file (CCXT_CREDENTIALS_FILE)
// that only its owner may read; never from a flag, so they stay out of shell history and ps.

import type { OrdinisConfig } from '../../../config/schema.ts';
import { OrdinisError } from '../../../errors.ts';
import { readCredentialsFile } from '../../../config/credentials-file.ts';
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
  const { apiKey, secret, password } = readCredentialsFile(path, 'CCXT_CREDENTIALS_FILE', ['apiKey', 'secret'], ['password']);
  return { apiKey, secret, ...(password !== undefined ? { password } : {}) };
}
