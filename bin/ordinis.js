#!/usr/bin/env node
// The `ordinis` command: the built CLI (dist/, made by `npm run build`, which `npm install`
// in a clone and `npm pack` run). Plain JavaScript, so it starts without a TypeScript loader;
// bin/ordinis-dev.js runs the same program from the sources.
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv);
