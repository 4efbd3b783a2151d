// `npm run build` (and `prepare`, so `npm install` in a clone and `npm pack` build too):
// src/ to dist/ as JavaScript with declarations and source maps (tsconfig.build.json). dist/
// is removed first, so a file deleted or renamed in src/ leaves no stale module behind.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';

rmSync('dist', { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
