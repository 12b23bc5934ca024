// npm run stack:up | stack:down | db:migrate
import { migrate } from '@leadsync/db/migrate';
import { withDatabase } from './settings.js';
import { stackDown, stackSettings, stackUp } from './stack.js';

const command = process.argv[2];
const log = (line: string) => console.error(line);

try {
  if (command === 'up') {
    const { started: _started, ...env } = await stackUp(stackSettings(), log);
    for (const [k, v] of Object.entries(env)) console.log(`${k}=${v}`);
  } else if (command === 'down') {
    await stackDown(log);
  } else if (command === 'migrate') {
    const s = stackSettings();
    // DATABASE_URL names the database to migrate; by default the local stack's.
    const url = process.env.DATABASE_URL ?? withDatabase(s.adminDatabaseUrl, s.databaseName);
    const applied = await migrate(url);
    log(applied.length ? `applied ${applied.join(', ')}` : 'migrations up to date');
  } else {
    log('usage: cli.ts up | down | migrate');
    process.exit(2);
  }
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
}
