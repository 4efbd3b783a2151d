// The code blocks of a Markdown page that CI runs (scripts/check-package.mjs), found by
// their fence's info string:
//
//   ```ts check     a TypeScript program: type-checked and run (`node --import tsx`) in a
//                   fresh project that installed the packed package; it imports only from
//                   'ordinis-orch' and 'ordinis-orch/testing', and fails by exiting non-zero.
//   ```sh check     shell commands, run with `bash -e -o pipefail` in that project,
//                   node_modules/.bin on PATH (so `ordinis ...` is the installed bin).
//
// The snippets of a page run in the order they appear, all in the project's directory, so
// a later one may use a file an earlier one made (a database, an export).
//
// Any other block (```sh, ```json, ...) is illustration and is not run. TypeScript in
// docs/guide/ is run unless it says, visibly, that it cannot be (```ts no-check: it needs
// what CI does not have, e.g. a broker account); the guide's own test
// (test/docs/guide.test.ts) refuses a plain ```ts block there.
//
// Pure: text in, snippets out. Kept apart from the script so a test can read it.

const FENCE = /^(`{3,})([^`\n]*)$/;

/**
 * @param {string} markdown
 * @returns {{ lang: string, check: boolean, noCheck: boolean, line: number, code: string }[]}
 *   every fenced block, in order; `line` is the 1-based line of its opening fence.
 */
export function fencedBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i].trimEnd());
    if (!open) continue;
    const [, ticks, info] = open;
    const words = info.trim().split(/\s+/).filter(Boolean);
    const body = [];
    let j = i + 1;
    while (j < lines.length && lines[j].trimEnd() !== ticks) body.push(lines[j++]);
    if (j === lines.length) throw new Error(`line ${i + 1}: a code block that is never closed`);
    const flags = words.slice(1);
    blocks.push({ lang: words[0] ?? '', check: flags.includes('check'), noCheck: flags.includes('no-check'), line: i + 1, code: body.join('\n') + '\n' });
    i = j;
  }
  return blocks;
}

/**
 * The runnable snippets of one page, each with the file name it is written to in the
 * check project: `<page stem>.<n>.ts` / `.sh`, numbered from 1 per page.
 *
 * @param {string} page file name of the page, e.g. "writing-a-strategy.md"
 * @param {string} markdown
 * @returns {{ kind: 'ts' | 'sh', file: string, line: number, code: string }[]}
 */
export function runnableSnippets(page, markdown) {
  const stem = page.replace(/\.md$/, '');
  const out = [];
  for (const b of fencedBlocks(markdown)) {
    if (!b.check) continue;
    const kind = b.lang === 'ts' || b.lang === 'typescript' ? 'ts' : b.lang === 'sh' || b.lang === 'bash' || b.lang === 'shell' ? 'sh' : null;
    if (kind === null) throw new Error(`${page}:${b.line}: 'check' on a ${b.lang || 'plain'} block (only ts and sh blocks run)`);
    out.push({ kind, file: `${stem}.${out.length + 1}.${kind}`, line: b.line, code: b.code });
  }
  return out;
}
