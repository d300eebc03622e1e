import type { Command } from 'commander';
import { startApp } from '../../app/runtime.js';
import { seedDemo } from '../../app/seed-demo.js';
import { loadConfig } from '../../config.js';

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('Load data into the database')
    .option(
      '--demo',
      'customers, sites, roles, groups, contacts and users in every status to try imports with',
    )
    .action(async (opts: { demo?: boolean }) => {
      if (!opts.demo) throw new Error('Say what to load: roster seed --demo');
      const ctx = await startApp(loadConfig());
      try {
        const summary = await seedDemo(ctx);
        process.stdout.write(
          summary.created
            ? `Loaded the demo data: ${summary.customers} customers, ${summary.users} users, ${summary.contacts} contacts, 5 roles (1 inactive), 2 groups, 3 custom attributes.\n`
            : 'The demo data is already loaded; nothing changed.\n',
        );
      } finally {
        await ctx.storage.close();
      }
    });
}
