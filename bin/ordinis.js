#!/usr/bin/env node
// The `ordinis` command. The sources are TypeScript; tsx compiles them on load so the
// package runs straight from a clone with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
