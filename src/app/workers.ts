import { inProcessQueue, type JobQueue } from '../jobs/queue.js';
import { importsInStatus } from '../storage/queries/imports.js';
import type { AppContext } from './context.js';
import { runCommit } from './imports/commit-import.js';
import { runRollback } from './imports/rollback-import.js';

/**
 * Starts the background workers in this process and installs their queue in the context. Work
 * that a previous process left unfinished (a crash, a kill -9) is taken up again at once.
 */
export async function startWorkers(ctx: AppContext): Promise<JobQueue> {
  const queue = inProcessQueue(
    async (kind, id) => {
      if (kind === 'import.commit') await runCommit(ctx, id);
      else await runRollback(ctx, id);
    },
    (err, kind, importId) => ctx.log.error({ err, kind, importId }, 'background job failed'),
  );
  ctx.jobs = queue;
  for (const id of await importsInStatus(ctx.db, ['queued', 'committing', 'cancelling'])) {
    ctx.log.info({ importId: id }, 'resuming import commit');
    await queue.enqueue('import.commit', id);
  }
  for (const id of await importsInStatus(ctx.db, ['rolling_back'])) {
    ctx.log.info({ importId: id }, 'resuming import rollback');
    await queue.enqueue('import.rollback', id);
  }
  return queue;
}
