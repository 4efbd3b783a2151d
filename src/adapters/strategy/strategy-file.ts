// A user's strategy pack from a file: `ordinis backtest --strategy ./my-strategy.ts`. The
// file is a module whose default export (or a named export `strategy`) is a StrategyPack.
// `.js`/`.mjs` load with a plain dynamic import; `.ts`/`.mts` through tsx's scoped
// `tsImport`, imported lazily and only for those, so the package needs tsx at run time only
// for a user who writes TypeScript (it is an optional peer dependency).
//
// A file that cannot be loaded as a pack is E_SIG_STRATEGY_FILE naming the file and what is
// wrong; parameters its schema rejects and a bad feature declaration are E_CFG_INVALID, as for
// a built-in pack, naming the file too (resolveStrategyFile). Both are raised before a run
// row, a venue or a paper book exists: the caller loads and resolves the pack first. The file's bytes are fingerprinted (SHA-256) so a paper book can tell a
// resumed run of the same file from one whose code changed.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OrdinisError } from '../../errors.ts';
import { checkPackShape, resolvePack, type ResolvedStrategy } from '../../stages/sig/registry.ts';
import type { StrategyPack } from '../../stages/sig/strategy-pack.ts';
import { STRATEGY_FILE_EXTENSIONS } from './strategy-file-name.ts';

export { STRATEGY_FILE_EXTENSIONS, isStrategyFileArgument } from './strategy-file-name.ts';

const TYPESCRIPT = new Set(['.ts', '.mts']);

type AnyPack = StrategyPack<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A pack loaded from a file, with what identifies the file's content. */
export interface StrategyFile {
  readonly pack: AnyPack;
  /** Absolute path. */
  readonly file: string;
  /** Which export held the pack. */
  readonly exportName: 'default' | 'strategy';
  readonly bytes: number;
  readonly sha256: string;
}

function fileError(file: string, what: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}): OrdinisError {
  return new OrdinisError('E_SIG_STRATEGY_FILE', `strategy file ${file}: ${what}`, { ...options, details: { file, ...options.details } });
}

/** A thrown value's message without a leading `E_CODE: `, first lines only (esbuild lists every error). */
function causeText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const lines = text.replace(/^E_[A-Z_]+: /, '').split('\n').filter((l) => l.trim() !== '');
  return lines.slice(0, 6).join(' | ');
}

/**
 * The pack among a module's exports (pure): the default export, or the named export
 * `strategy`; both is fine when they are the same object, ambiguous otherwise. A CommonJS
 * module's `exports.default` (TypeScript compiled to CJS) counts as its default export.
 */
export function pickStrategyExport(namespace: Record<string, unknown>, file: string): { pack: unknown; exportName: 'default' | 'strategy' } {
  let def = namespace.default;
  const named = namespace.strategy;
  // CommonJS: Node's default is `module.exports`; TypeScript's default is its `.default`, and
  // `exports.strategy = pack` leaves a default that merely holds the named export.
  if (def !== null && typeof def === 'object') {
    if ((def as { __esModule?: unknown }).__esModule === true) def = (def as { default?: unknown }).default;
    else if (named !== undefined && (def as { strategy?: unknown }).strategy === named) def = undefined;
  }
  if (def !== undefined && named !== undefined && def !== named) {
    throw fileError(file, 'exports both a default export and a named export `strategy`, and they are different objects: neither wins; export one pack (either way), or the same pack under both names');
  }
  if (def !== undefined) return { pack: def, exportName: 'default' };
  if (named !== undefined) return { pack: named, exportName: 'strategy' };
  const names = Object.keys(namespace).filter((k) => k !== '__esModule');
  throw fileError(file, `exports no strategy pack: expected \`export default defineStrategyPack({...})\` or \`export const strategy = ...\`; it exports ${names.length ? names.join(', ') : 'nothing'}`, {
    details: { exports: names },
  });
}

/** The error for a `.ts` strategy file when tsx cannot be imported (pure). */
export function tsxMissingError(file: string, cause: unknown): OrdinisError {
  return fileError(file, 'a TypeScript strategy file needs tsx to load: run `npm install --save-dev tsx` in your project (or give a .js/.mjs file)', { cause });
}

async function importModule(file: string, shown: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (!TYPESCRIPT.has(extname(file))) return (await import(url)) as Record<string, unknown>;
  let tsx: typeof import('tsx/esm/api');
  try {
    tsx = await import('tsx/esm/api');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /\btsx\b/.test(String((e as Error).message))) throw tsxMissingError(shown, e);
    throw e;
  }
  // Scoped: the file and its own imports compile through tsx; nothing is registered process-wide.
  return (await tsx.tsImport(url, import.meta.url)) as Record<string, unknown>;
}

/**
 * Loads the pack a file exports. E_SIG_STRATEGY_FILE naming the file for: an unsupported
 * extension, a file that is missing or unreadable, one that does not load (syntax error,
 * failing import; the cause kept), one that exports no pack or two, and an export that is no
 * pack (bad id, version, features or decide). `cwd` resolves a relative path (default
 * process.cwd()).
 */
export async function loadStrategyFile(path: string, options: { cwd?: string } = {}): Promise<StrategyFile> {
  const shown = path;
  const ext = extname(path);
  if (!(STRATEGY_FILE_EXTENSIONS as readonly string[]).includes(ext)) {
    throw fileError(shown, `expected a ${STRATEGY_FILE_EXTENSIONS.join(', ')} file${ext ? `, not ${ext}` : ''}`);
  }
  const file = resolve(options.cwd ?? process.cwd(), path);
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? `not found (looked for ${file})` : code === 'EISDIR' ? 'is a directory' : `cannot be read (${causeText(e)})`;
    throw fileError(shown, what, { cause: e });
  }
  let namespace: Record<string, unknown>;
  try {
    namespace = await importModule(file, shown);
  } catch (e) {
    if (e instanceof OrdinisError && e.code === 'E_SIG_STRATEGY_FILE') throw e;
    throw fileError(shown, `could not be loaded as a module: ${causeText(e)}`, { cause: e });
  }
  const { pack, exportName } = pickStrategyExport(namespace, shown);
  try {
    checkPackShape(pack as AnyPack);
  } catch (e) {
    throw fileError(shown, `its ${exportName === 'default' ? 'default export' : 'export `strategy`'} is not a strategy pack: ${causeText(e).replace(/^strategy pack: /, '')}`, { cause: e });
  }
  return Object.freeze({
    pack: pack as AnyPack,
    file,
    exportName,
    bytes: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
  });
}

/**
 * Binds a file's pack to parameters (resolvePack), naming the file in the error: parameters
 * the pack's schema rejects and a bad feature declaration (an unknown kind, a bad period) are
 * E_CFG_INVALID as for a built-in pack, with `strategy file <path>:` in front.
 */
export function resolveStrategyFile(loaded: StrategyFile, rawParams: Record<string, unknown>, shown: string = loaded.file): ResolvedStrategy {
  try {
    return resolvePack(loaded.pack, rawParams) as ResolvedStrategy;
  } catch (e) {
    if (!(e instanceof OrdinisError)) throw e;
    throw new OrdinisError(e.code, `strategy file ${shown}: ${causeText(e)}`, { cause: e, details: { file: loaded.file, ...e.details } });
  }
}
