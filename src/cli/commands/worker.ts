import type { Command } from 'commander';
import { startApp } from '../../app/runtime.js';
import { startWorkers } from '../../app/workers.js';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../http/server.js';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'Run background jobs (imports, rollbacks, sending email) without serving HTTP; needs DATABASE_URL',
    )
    .action(async () => {
      const config = loadConfig();
      if (!config.databaseUrl) {
        throw new Error(
          'roster worker needs DATABASE_URL (PostgreSQL): on the embedded SQLite default, `roster serve` runs the jobs itself.',
        );
      }
      const log = createLogger(config.logLevel);
      const ctx = await startApp(config, log);
      const workers = await startWorkers(ctx, true);
      log.info({ workerId: ctx.workerId }, 'Roster worker is running');
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'worker shutting down');
        ctx.shutdown.abort();
        await workers.stop();
        await ctx.storage.close();
        process.exit(0);
      };
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));
    });
}
