// Code version and commit hash recorded on every run and artifact. Read once from
// package.json and .git (no child process); "unknown" outside a git checkout.

import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildInfo {
  codeVersion: string;
  commitHash: string;
}

let cached: BuildInfo | undefined;

export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  let codeVersion = '0.0.0';
  try {
    codeVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    /* keep the default */
  }
  cached = { codeVersion, commitHash: readCommit(root) };
  return cached;
}

function readCommit(root: string): string {
  try {
    const gitDir = join(root, '.git');
    if (!existsSync(gitDir)) return 'unknown';
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    const loose = join(gitDir, ref);
    if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
    const packed = readFileSync(join(gitDir, 'packed-refs'), 'utf8');
    const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
    return line ? line.split(' ')[0]! : 'unknown';
  } catch {
    return 'unknown';
  }
}
