// Types of doc-snippets.mjs (a plain script, so that CI runs it with node alone), for the
// test that reads the guide with it (test/docs/guide.test.ts).

export interface FencedBlock {
  lang: string;
  check: boolean;
  /** Marked `no-check`: deliberately not run (it needs what CI does not have). */
  noCheck: boolean;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
}

export interface RunnableSnippet {
  kind: 'ts' | 'sh';
  /** `<page stem>.<n>.ts` or `.sh`, numbered from 1 per page. */
  file: string;
  line: number;
  code: string;
}

export function fencedBlocks(markdown: string): FencedBlock[];
export function runnableSnippets(page: string, markdown: string): RunnableSnippet[];
