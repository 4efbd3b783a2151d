// Where Alpaca lives and who we are to it. The paper and live trading APIs are the same
// protocol at two hosts, so "paper" is only a base URL: the code paths used against the paper
// endpoint are the ones used live. The key pair is handed in by the caller (from the
// environment or a file, see config/schema.ts's secret keys) and never logged: this module's
// describe() is what a run record or a log line may show.

/** The key pair of an Alpaca account (APCA-API-KEY-ID / APCA-API-SECRET-KEY). */
export interface AlpacaCredentials {
  keyId: string;
  secretKey: string;
}

/** The three services a run talks to. */
export interface AlpacaEndpoints {
  /** Trading API v2 (orders, positions, account). */
  tradingUrl: string;
  /** Market-data REST API v2 (historical bars for the warm-up). */
  dataUrl: string;
  /** Market-data stream base (wss://…/v2); the feed (iex or sip) is appended. */
  streamUrl: string;
}

export const ALPACA_PAPER: AlpacaEndpoints = Object.freeze({
  tradingUrl: 'https://paper-api.alpaca.markets',
  dataUrl: 'https://data.alpaca.markets',
  streamUrl: 'wss://stream.data.alpaca.markets/v2',
});

export const ALPACA_LIVE: AlpacaEndpoints = Object.freeze({
  tradingUrl: 'https://api.alpaca.markets',
  dataUrl: 'https://data.alpaca.markets',
  streamUrl: 'wss://stream.data.alpaca.markets/v2',
});

/** The market-data feed: iex (free) or sip (all US exchanges, a paid subscription). */
export type AlpacaDataFeed = 'iex' | 'sip';

/** What may be shown of a connection: the hosts, and whether a key is set (never the key). */
export function describeAlpaca(endpoints: AlpacaEndpoints, credentials: AlpacaCredentials | undefined): Record<string, unknown> {
  return { ...endpoints, credentials: credentials ? 'set (redacted)' : 'missing' };
}
