import type { Command } from 'commander';
import { ensureFirstAdmin } from '../../app/bootstrap.js';
import { startApp } from '../../app/runtime.js';
import { sweepStaleTemp } from '../../app/temp-files.js';
import { startWorkers } from '../../app/workers.js';
import { loadConfig } from '../../config.js';
import { buildServer, createLogger } from '../../http/server.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Apply migrations and serve the API and console (HOST, PORT, DATA_DIR, DATABASE_URL)')
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.logLevel);
      const ctx = await startApp(config, log);
      const swept = sweepStaleTemp();
      if (swept.length > 0)
        log.info({ removed: swept.length }, 'removed temporary files left by stopped processes');
      const first = await ensureFirstAdmin(ctx);
      if (first?.generatedPassword) {
        // Printed once, to the terminal only (not the log): the admin must change it after signing in.
        process.stdout.write(
          `\nFirst start: created the administrator ${first.email}\n` +
            `  password: ${first.generatedPassword}\n` +
            '  (shown once; set ROSTER_ADMIN_EMAIL and ROSTER_ADMIN_PASSWORD to choose your own)\n\n',
        );
      } else if (first) {
        log.info({ email: first.email }, 'created the first administrator from ROSTER_ADMIN_EMAIL');
      }
      // The embedded default always runs jobs here; with PostgreSQL, RUN_JOBS=false makes a web-only process.
      const workers = await startWorkers(ctx, ctx.storage.dialect === 'sqlite' || config.runJobs);
      const app = await buildServer(ctx, { loggerInstance: log });
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'shutting down');
        // Stop taking requests, let those in flight finish, then close the database.
        ctx.shutdown.abort();
        await app.close();
        await workers.stop();
        await ctx.storage.close();
        process.exit(0);
      };
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));
      const address = await app.listen({ host: config.host, port: config.port });
      log.info(
        {
          address,
          database: ctx.storage.dialect,
          dataDir: ctx.storage.dialect === 'sqlite' ? config.dataDir : undefined,
        },
        'Roster is serving',
      );
    });
}
