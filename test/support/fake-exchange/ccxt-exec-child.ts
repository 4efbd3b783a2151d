// A child process that runs the crash test's EXEC cycle (ccxt-exec-cycle.ts) against the
// venue at argv[3] with its orders in the SQLite file argv[2]; the test SIGKILLs it while the
// venue holds the order's answer.

import { startExecProcess } from './ccxt-exec-cycle.ts';

const [dbPath, venueUrl] = process.argv.slice(2);
const p = await startExecProcess(dbPath!, venueUrl!);
process.stdout.write('started\n');
await p.run();
process.stdout.write('answered\n');
p.db.close();
