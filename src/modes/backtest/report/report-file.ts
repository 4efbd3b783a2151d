// Where the HTML report goes. `checkReportPath` runs before the backtest starts, so a path
// that cannot take a file fails in a second rather than after a long run; `writeReportFile`
// replaces the file whole (a temp file renamed over it), so a failed write never leaves half
// a report behind.

import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { OrdinisError } from '../../../errors.ts';

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function refuse(path: string, why: string): OrdinisError {
  return new OrdinisError('E_CFG_INVALID', `--report ${path}: ${why}`, { details: { flag: '--report', path } });
}

/** E_CFG_INVALID naming the path when a report cannot be written there: checked up front. */
export function checkReportPath(path: string): void {
  if (path.trim() === '') throw new OrdinisError('E_CFG_INVALID', '--report "": expected a file path', { details: { flag: '--report' } });
  const abs = resolve(path);
  const target = statOrUndefined(abs);
  if (target?.isDirectory()) throw refuse(path, 'is a directory; give a file name (e.g. report.html)');
  const dir = dirname(abs);
  const parent = statOrUndefined(dir);
  if (!parent) throw refuse(path, `its directory ${dir} does not exist`);
  if (!parent.isDirectory()) throw refuse(path, `${dir} is not a directory`);
  try {
    // The directory must take the temp file that is renamed over the report.
    accessSync(dir, constants.W_OK);
    if (target) accessSync(abs, constants.W_OK);
  } catch (e) {
    throw refuse(path, `cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Writes the report whole, or E_REPORT_WRITE_FAILED naming the path (no partial file left). */
export function writeReportFile(path: string, html: string): void {
  const abs = resolve(path);
  const temp = `${abs}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, html);
    renameSync(temp, abs);
  } catch (e) {
    rmSync(temp, { force: true });
    throw new OrdinisError('E_REPORT_WRITE_FAILED', `cannot write the report ${path}: ${(e as Error).message}`, { cause: e, details: { path } });
  }
}
