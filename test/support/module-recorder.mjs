// Preload (`node --import test/support/module-recorder.mjs ...`) that appends the URL of every
// module the process resolves to the file named by RECORD_MODULES_TO, one per line: a test
// can then say which libraries a command loaded (test/cli/startup-modules.test.ts). Plain
// JavaScript, since module hooks run in their own thread before tsx is registered there.
import { register } from 'node:module';

const out = process.env.RECORD_MODULES_TO;
if (!out) throw new Error('module-recorder: set RECORD_MODULES_TO to the file to write');
register('./module-recorder-hooks.mjs', import.meta.url, { data: { out } });
