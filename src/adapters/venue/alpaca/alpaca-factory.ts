// The Alpaca adapter and feed built from the configuration (the ALPACA_* keys), for
// `ordinis live --broker alpaca` and `ordinis paper --feed alpaca`. The keys come from the
// environment (ALPACA_KEY_ID / ALPACA_SECRET_KEY, secret config keys, redacted wherever config
// is shown) or from ALPACA_CREDENTIALS_FILE; never from a flag.

import type { OrdinisConfig } from '../../../config/schema.ts';
import { readCredentialsFile } from '../../../config/credentials-file.ts';
import { OrdinisError } from '../../../errors.ts';
import type { LiveBarFeed } from '../../data/live-bar-feed.ts';
import type { BrokerAdapter } from '../../../stages/exec/broker-adapter.ts';
import type { AlpacaCredentials } from './alpaca-endpoints.ts';

export type AlpacaConfig = Pick<
  OrdinisConfig,
  'ALPACA_KEY_ID' | 'ALPACA_SECRET_KEY' | 'ALPACA_CREDENTIALS_FILE' | 'ALPACA_TRADING_URL' | 'ALPACA_DATA_URL' | 'ALPACA_STREAM_URL' | 'ALPACA_FEED' | 'ALPACA_TIMEOUT_MS'
>;

/** The configured key pair; E_CFG_INVALID naming the key when none (or half of one) is set. */
export function alpacaCredentials(config: Pick<AlpacaConfig, 'ALPACA_KEY_ID' | 'ALPACA_SECRET_KEY' | 'ALPACA_CREDENTIALS_FILE'>): AlpacaCredentials {
  const { ALPACA_KEY_ID: keyId, ALPACA_SECRET_KEY: secretKey, ALPACA_CREDENTIALS_FILE: file } = config;
  if (file !== undefined) {
    if (keyId !== undefined || secretKey !== undefined) throw new OrdinisError('E_CFG_INVALID', 'ALPACA_CREDENTIALS_FILE: set either it or ALPACA_KEY_ID/ALPACA_SECRET_KEY, not both');
    return readCredentialsFile(file, 'ALPACA_CREDENTIALS_FILE', ['keyId', 'secretKey'] as const);
  }
  if (keyId === undefined || secretKey === undefined) {
    const missing = [keyId === undefined ? 'ALPACA_KEY_ID' : '', secretKey === undefined ? 'ALPACA_SECRET_KEY' : ''].filter(Boolean).join(' and ');
    throw new OrdinisError('E_CFG_INVALID', `alpaca needs its keys: ${missing} unset (env ORDINIS_ALPACA_KEY_ID / ORDINIS_ALPACA_SECRET_KEY, or ALPACA_CREDENTIALS_FILE)`, { details: { key: missing } });
  }
  return { keyId, secretKey };
}

/** The Alpaca broker adapter (trading API at ALPACA_TRADING_URL). */
export async function createAlpacaBroker(config: AlpacaConfig): Promise<BrokerAdapter> {
  const credentials = alpacaCredentials(config);
  const { AlpacaBroker } = await import('./alpaca-broker.ts');
  return new AlpacaBroker({ tradingUrl: config.ALPACA_TRADING_URL, credentials, timeoutMs: config.ALPACA_TIMEOUT_MS });
}

/** The Alpaca minute-bar feed of `symbols` (stream at ALPACA_STREAM_URL/ALPACA_FEED, history at ALPACA_DATA_URL). */
export async function createAlpacaFeed(config: AlpacaConfig, symbols: readonly string[]): Promise<LiveBarFeed> {
  const credentials = alpacaCredentials(config);
  const { AlpacaBarFeed } = await import('./alpaca-bar-feed.ts');
  return new AlpacaBarFeed({ symbols, credentials, streamUrl: config.ALPACA_STREAM_URL, dataUrl: config.ALPACA_DATA_URL, feed: config.ALPACA_FEED, timeoutMs: config.ALPACA_TIMEOUT_MS });
}
