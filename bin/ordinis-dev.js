#!/usr/bin/env node
// The `ordinis` command from the TypeScript sources, for development and the tests: tsx
// compiles them on load, so a change runs without a build. The published command is
// bin/ordinis.js, which runs the built JavaScript (dist/) and needs no tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
