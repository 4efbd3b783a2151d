// A paper book's identity: what a database's positions and orders were traded for. A restart
// with another strategy, other data or other starting cash would leave the old positions
// in the book, unmanaged by the new strategy (it never decided them and will not close
// them), so the runtime compares the identity stored at the book's first start with the
// one it is given and refuses a difference unless told what to do with the old book:
//
//   --adopt     take the book over as it stands: its positions and working orders become
//               the new strategy's; they are listed in the output and the audit log.
//   --new-book  start a fresh book in the same file. Only when the old one is flat (no
//               position, no working order): nothing is deleted (its orders, fills, ledger
//               and audit records stay), the account keeps its cash, and the replay starts
//               again from the first bar of the new data. A book with positions is refused:
//               close them first, or use another --db.
//
// Data files are fingerprinted by content (SHA-256 and size), not by path and mtime: a
// copied or moved sample is the same data, while a file edited in place (same path, maybe
// same size, a touched mtime or not) is not. Hashing a 10 MB CSV takes ~30 ms, once per start.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** runtime_state key of the identity. */
export const BOOK_KEY = 'paper.book';

export interface DataFingerprint {
  symbol: string;
  /** The path as given at that start (shown, never compared). */
  file: string;
  bytes: number;
  sha256: string;
}

/**
 * A strategy loaded from a user's file (`--strategy ./my.ts`): its pack version and the
 * entry file's content. Edited code trades differently, so it is another book, as edited data
 * is; the files the entry imports are not fingerprinted (its version should say they changed).
 */
export interface StrategyFileFingerprint {
  /** Absolute path at that start (shown, never compared). */
  file: string;
  /** The pack's version. */
  version: string;
  bytes: number;
  sha256: string;
}

export interface BookIdentity {
  strategy: string;
  strategyParams: Record<string, unknown>;
  /** Present when the strategy came from a file; absent for a built-in pack. */
  strategyFile?: StrategyFileFingerprint;
  /** Replayed files, one per symbol, in symbol order; a live feed's name instead. */
  data: DataFingerprint[] | { feed: string };
  symbols: string[];
  cash: number;
}

/** What to do with a stored book whose identity differs: refuse (default), take it over, or start a fresh one. */
export type BookChoice = 'refuse' | 'adopt' | 'new';

export function fingerprintFile(symbol: string, file: string): DataFingerprint {
  const bytes = readFileSync(file);
  return { symbol, file, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Every difference between the stored identity and this start's, one readable line each; empty when they are the same book. */
export function bookDifferences(stored: BookIdentity, current: BookIdentity): string[] {
  const out: string[] = [];
  if (stored.strategy !== current.strategy) out.push(`strategy: ${stored.strategy} -> ${current.strategy}`);
  const params = (p: Record<string, unknown>): string => canonical(p);
  if (params(stored.strategyParams) !== params(current.strategyParams)) {
    out.push(`strategy params: ${params(stored.strategyParams)} -> ${params(current.strategyParams)}`);
  }
  const code = strategyFileDifference(stored.strategyFile, current.strategyFile);
  if (code) out.push(code);
  if (stored.symbols.join(',') !== current.symbols.join(',')) out.push(`symbols: ${stored.symbols.join(',')} -> ${current.symbols.join(',')}`);
  out.push(...dataDifferences(stored.data, current.data));
  if (stored.cash !== current.cash) out.push(`starting cash: ${stored.cash} -> ${current.cash}`);
  return out;
}

function dataDifferences(a: BookIdentity['data'], b: BookIdentity['data']): string[] {
  if (!Array.isArray(a) || !Array.isArray(b)) {
    const name = (d: BookIdentity['data']): string => (Array.isArray(d) ? `files ${d.map((f) => basename(f.file)).join(', ')}` : `live feed ${d.feed}`);
    return name(a) === name(b) ? [] : [`data: ${name(a)} -> ${name(b)}`];
  }
  const out: string[] = [];
  const before = new Map(a.map((f) => [f.symbol, f]));
  for (const f of b) {
    const old = before.get(f.symbol);
    if (old && (old.sha256 !== f.sha256 || old.bytes !== f.bytes)) {
      out.push(`data ${f.symbol}: ${describeFile(old)} -> ${describeFile(f)}`);
    }
  }
  return out;
}

function strategyFileDifference(a: StrategyFileFingerprint | undefined, b: StrategyFileFingerprint | undefined): string | undefined {
  if (a === undefined && b === undefined) return undefined;
  if (a && b && a.version === b.version && a.sha256 === b.sha256 && a.bytes === b.bytes) return undefined;
  const name = (f: StrategyFileFingerprint | undefined): string => (f ? `${f.file} (version ${f.version}, ${f.bytes} bytes, sha256 ${f.sha256.slice(0, 12)})` : 'a built-in pack');
  return `strategy code: ${name(a)} -> ${name(b)}`;
}

function describeFile(f: DataFingerprint): string {
  return `${f.file} (${f.bytes} bytes, sha256 ${f.sha256.slice(0, 12)})`;
}

/** One line: `sma-cross {"fast":5,"slow":15} on ORCL, cash 10000` (a file's pack: `my-ema@1.0.0 (/abs/my-ema.ts) {...}`). */
export function describeBook(b: BookIdentity): string {
  const from = b.strategyFile ? `@${b.strategyFile.version} (${b.strategyFile.file})` : '';
  return `${b.strategy}${from} ${canonical(b.strategyParams)} on ${b.symbols.join(',')}, cash ${b.cash}`;
}

/** JSON with sorted keys, so {slow, fast} and {fast, slow} are the same parameters. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** What a start does with the book: `create` a first identity, `record` one for a book kept before identities were, keep the `same`, `adopt` it, or start a `new` one. */
export type BookAction = 'create' | 'record' | 'same' | 'adopt' | 'new';

export interface BookState {
  /** The book has a history: a venue account or a resume point. */
  exists: boolean;
  /** Non-zero positions (symbol → qty) and working orders (ours or the venue's). */
  positions: Record<string, number>;
  workingOrders: number;
}

export type BookPlan = { action: BookAction; differences: string[] } | { refusal: string; differences: string[] };

/** The decision for one start (pure): see the head of this file. */
export function planBook(stored: BookIdentity | undefined, current: BookIdentity, choice: BookChoice, book: BookState): BookPlan {
  const differences = stored ? bookDifferences(stored, current) : [];
  if (choice === 'new') {
    const open = Object.entries(book.positions).map(([s, q]) => `${s} ${q}`);
    if (open.length > 0 || book.workingOrders > 0) {
      const what = [...(open.length > 0 ? [`positions ${open.join(', ')}`] : []), ...(book.workingOrders > 0 ? [`${book.workingOrders} working order(s)`] : [])];
      return {
        refusal: `--new-book refused: the book in this database is not flat (${what.join('; ')}); close them with the book's own strategy, take them over with --adopt, or use another --db`,
        differences,
      };
    }
    return { action: book.exists ? 'new' : 'create', differences };
  }
  if (!stored) return { action: book.exists ? 'record' : 'create', differences };
  if (differences.length === 0) return { action: 'same', differences };
  if (choice === 'adopt') return { action: 'adopt', differences };
  return {
    refusal:
      `this paper book was started as ${describeBook(stored)}; this start differs: ${differences.join('; ')}. ` +
      `Its positions would stay in the book, unmanaged. Use the same settings, --adopt to take the book over, --new-book to start a fresh one (the book must be flat), or another --db`,
    differences,
  };
}
