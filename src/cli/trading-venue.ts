// Where `ordinis paper --feed NAME` and `ordinis live --broker NAME` trade: the venue table's
// row (modes/live/venue-table.ts) builds the bar feed and, for live, the broker adapter. Paper
// without --feed replays files on the simulated venue (nothing here). A live book's opening
// cash is the broker's cash when the book starts, and the book's own (its stored identity)
// afterwards, so a restart is the same book whatever the account did meanwhile (recovery and
// reconciliation then check the ledger against the account).

import { systemClock } from '../core/clock.ts';
import type { OrdinisConfig } from '../config/schema.ts';
import { OrdinisError } from '../errors.ts';
import type { OrdinisDatabase } from '../persistence/database.ts';
import { SqliteRuntimeStateStore } from '../persistence/sqlite-runtime-state-store.ts';
import type { LiveData } from '../modes/paper/live-plan.ts';
import { BOOK_KEY, type BookIdentity } from '../modes/paper/paper-book.ts';
import { liveVenueOf, type LiveVenue } from '../modes/live/live-settings.ts';
import { resolveVenue } from '../modes/live/venue-table.ts';

export interface TradingVenueFlags {
  feed?: string;
  broker?: string;
  symbols?: string;
  data?: string[];
}

export interface TradingVenue {
  data: LiveData;
  /** Live only: the broker the orders go to. */
  live?: LiveVenue;
  /** Live only: the book's opening cash. */
  cash?: number;
}

/**
 * Checks the flags and the venues' configuration (their keys) before anything is opened:
 * E_CFG_INVALID naming the flag or the key.
 */
export async function checkTradingVenue(command: 'paper' | 'live', flags: TradingVenueFlags, config: OrdinisConfig): Promise<void> {
  const feed = command === 'live' ? (flags.feed ?? flags.broker) : flags.feed;
  if (command === 'live' && !flags.broker) throw new OrdinisError('E_CFG_INVALID', '--broker: `ordinis live` needs the broker to trade through (e.g. --broker alpaca)');
  if (feed === undefined) return;
  if (flags.data && flags.data.length > 0) throw new OrdinisError('E_CFG_INVALID', `--data and --feed ${feed}: bars come from one place; drop --data to trade on the feed`);
  const rows = [resolveVenue(feed, command === 'live' && flags.feed === undefined ? '--broker' : '--feed')];
  if (command === 'live') rows.push(resolveVenue(flags.broker!, '--broker'));
  if (symbolsOf(flags).length === 0) throw new OrdinisError('E_CFG_INVALID', `--feed ${feed}: name the symbols to trade with --symbols (e.g. --symbols AAPL,MSFT)`);
  for (const r of rows) await r.row.check?.(config);
}

/** The feed (and for live the broker) the flags name, built from the configuration; undefined for a file replay. */
export async function openTradingVenue(command: 'paper' | 'live', flags: TradingVenueFlags, config: OrdinisConfig, db: OrdinisDatabase): Promise<TradingVenue | undefined> {
  await checkTradingVenue(command, flags, config);
  const feedName = command === 'live' ? (flags.feed ?? flags.broker!) : flags.feed;
  if (feedName === undefined) return undefined;
  const symbols = symbolsOf(flags);
  const feedVenue = resolveVenue(feedName, '--feed');
  const feed = await feedVenue.row.feed(config, { symbols, clock: systemClock, argument: feedVenue.argument });
  const data: LiveData = { kind: 'live', feed };
  if (command === 'paper') return { data };
  const brokerVenue = resolveVenue(flags.broker!, '--broker');
  const broker = await brokerVenue.row.broker(config, { symbols, clock: systemClock, argument: brokerVenue.argument });
  const stored = SqliteRuntimeStateStore.on(db, systemClock).get<BookIdentity>(BOOK_KEY)?.value;
  const cash = stored?.cash ?? (await broker.fetchAccount()).cash;
  return { data, live: liveVenueOf(brokerVenue.name, broker, config), cash };
}

function symbolsOf(flags: TradingVenueFlags): string[] {
  return (flags.symbols ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
