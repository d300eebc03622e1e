import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openStorage } from '../../storage/database.js';
import { migrateToLatest } from '../../storage/migrate.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async () => {
      const config = loadConfig();
      const storage = openStorage({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath });
      try {
        const applied = await migrateToLatest(storage.db);
        process.stdout.write(
          applied.length === 0
            ? `The ${storage.dialect} database is up to date.\n`
            : `Applied ${applied.length} migration(s) to the ${storage.dialect} database: ${applied.join(', ')}\n`,
        );
      } finally {
        await storage.close();
      }
    });
}
