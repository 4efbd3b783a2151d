// A second process that flips the kill switch of a paper database as `ordinis kill activate`
// / `deactivate` do: it runs the CLI's own `main()` for each change, so every activation
// takes exactly the CLI's path (its own connection, KillSwitch, governance and audit
// record), without paying a process start-up per change. Starting the CLI anew per change
// gives a running paper loop only a handful of activations to race against; this gives it
// hundreds, which is what makes the race window reproducible.
//
//   node --import tsx test/modes/paper/kill-toggler.ts DB ROUNDS
//
// Waits until the paper loop has submitted its first order, then does ROUNDS activate /
// deactivate pairs with short pauses (so the loop trades between them), and prints one JSON
// line: { activations, failures }.

import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { main } from '../../../src/cli/main.ts';

const [path, roundsArg] = process.argv.slice(2);
if (!path || !roundsArg) {
  process.stderr.write('usage: kill-toggler.ts DB ROUNDS\n');
  process.exit(2);
}
const rounds = Number(roundsArg);

async function waitForFirstOrder(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      const db = new Database(path!, { readonly: true, fileMustExist: true });
      try {
        const n = db.prepare("SELECT count(*) FROM audit_log WHERE kind = 'exec.submit'").pluck().get() as number;
        if (n > 0) return;
      } finally {
        db.close();
      }
    } catch {
      // not created or not migrated yet
    }
    await sleep(50);
  }
  throw new Error('the paper loop submitted no order within 30 s');
}

async function cli(...args: string[]): Promise<number> {
  process.exitCode = undefined;
  return main(['node', 'ordinis', '--log-level', 'silent', 'kill', ...args, '--db', path!, '--json']);
}

await waitForFirstOrder();
let activations = 0;
let failures = 0;
for (let i = 0; i < rounds; i++) {
  if ((await cli('activate', '--reason', `race round ${i}`, '--actor', 'race-operator')) === 0) activations++;
  else failures++;
  // Short and varied, so activations land at different points of the loop's cycles.
  await sleep(1 + (i % 4));
  if ((await cli('deactivate', '--actor', 'race-operator')) !== 0) failures++;
  await sleep(2 + (i % 5));
}
process.exitCode = 0;
process.stdout.write(`${JSON.stringify({ activations, failures })}\n`);
