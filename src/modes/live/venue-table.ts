// The live venues, as one table: the value of `ordinis live --broker NAME` and of
// `ordinis paper --feed NAME` picks a row, and the row builds the venue's broker adapter and
// its bar feed from the configuration. Everything after that (the durable loop, recovery,
// reconciliation, the kill switch) is broker-neutral. A row's factories import their adapter
// lazily, so a command that never trades live loads none of them (nor `ws`, nor ccxt).
//
// A name is `ROW` or `ROW:ARGUMENT` (ccxt:binance): the argument is for rows that take one.

import type { Clock } from '../../core/clock.ts';
import type { OrdinisConfig } from '../../config/schema.ts';
import { OrdinisError } from '../../errors.ts';
import type { LiveBarFeed } from '../../adapters/data/live-bar-feed.ts';
import type { BrokerAdapter } from '../../stages/exec/broker-adapter.ts';

/** What a row builds for: the symbols traded, and the clock bars and orders are stamped on. */
export interface VenueTarget {
  symbols: readonly string[];
  clock: Clock;
  /** The ARGUMENT of ROW:ARGUMENT (undefined for a row that takes none). */
  argument: string | undefined;
}

export interface LiveVenueRow {
  /** How the name is written, for messages and --help: `alpaca`, `ccxt:EXCHANGE`. */
  usage: string;
  /** Whether the name carries an argument after a colon. */
  takesArgument: boolean;
  /** Checks the row's configuration (its keys) before anything is opened; E_CFG_INVALID naming the key. */
  check?(config: OrdinisConfig): Promise<void>;
  broker(config: OrdinisConfig, target: VenueTarget): Promise<BrokerAdapter>;
  feed(config: OrdinisConfig, target: VenueTarget): Promise<LiveBarFeed>;
}

export const LIVE_VENUES: Readonly<Record<string, LiveVenueRow>> = Object.freeze({
  alpaca: {
    usage: 'alpaca',
    takesArgument: false,
    check: async (config) => {
      (await import('../../adapters/venue/alpaca/alpaca-factory.ts')).alpacaCredentials(config);
    },
    broker: async (config) => (await import('../../adapters/venue/alpaca/alpaca-factory.ts')).createAlpacaBroker(config),
    feed: async (config, target) => (await import('../../adapters/venue/alpaca/alpaca-factory.ts')).createAlpacaFeed(config, target.symbols),
  },
  ccxt: {
    usage: 'ccxt:EXCHANGE',
    takesArgument: true,
    // The credentials' settings (a file others may read, a key without its secret); a feed
    // needs none, so their absence is refused when the broker is built.
    check: async (config) => {
      (await import('../../adapters/venue/ccxt/ccxt-credentials.ts')).ccxtCredentials(config);
    },
    broker: async (config, target) =>
      (await import('../../adapters/venue/ccxt/ccxt-factory.ts')).createCcxtBroker(config, { exchangeId: target.argument!, symbols: target.symbols, clock: target.clock }),
    feed: async (config, target) =>
      (await import('../../adapters/venue/ccxt/ccxt-factory.ts')).createCcxtFeed(config, { exchangeId: target.argument!, symbols: target.symbols, clock: target.clock }),
  },
});

/** The row a name picks and its argument; E_CFG_INVALID naming the flag and the known names otherwise. */
export function resolveVenue(name: string, flag: string, venues: Readonly<Record<string, LiveVenueRow>> = LIVE_VENUES): { row: LiveVenueRow; argument: string | undefined; name: string } {
  const colon = name.indexOf(':');
  const key = colon < 0 ? name : name.slice(0, colon);
  const argument = colon < 0 ? undefined : name.slice(colon + 1);
  const row = Object.prototype.hasOwnProperty.call(venues, key) ? venues[key] : undefined;
  const known = Object.values(venues).map((r) => r.usage).join(', ');
  if (!row) throw new OrdinisError('E_CFG_INVALID', `${flag} ${name}: unknown venue; expected one of ${known}`, { details: { flag, value: name } });
  if (row.takesArgument && !argument) throw new OrdinisError('E_CFG_INVALID', `${flag} ${name}: expected ${row.usage}`, { details: { flag, value: name } });
  if (!row.takesArgument && argument !== undefined) throw new OrdinisError('E_CFG_INVALID', `${flag} ${name}: ${key} takes no argument (expected ${row.usage})`, { details: { flag, value: name } });
  return { row, argument, name };
}
