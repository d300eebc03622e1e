import { COMMIT_STATUSES } from '../core/import/status.js';
import type { JobErrorReporter, JobHandlers } from '../jobs/queue.js';
import { abandonedStaging, importsInStatus } from '../storage/queries/imports.js';
import { unfinishedBulkActions } from '../storage/queries/user-bulk-actions.js';
import type { AppContext, JobKind } from './context.js';
import { runCommit } from './imports/commit-import.js';
import { discardStaging } from './imports/create-import.js';
import { JobBusy } from './imports/lease.js';
import { runRollback } from './imports/rollback-import.js';
import { installMailAnnouncer } from './mail/announce.js';
import { runBulkAction } from './users/bulk-users.js';
import { type SearchIndexer, startSearchIndexer } from './users/search-index.js';

/** Longer than any upload takes to read: a staging import older than this was left by a stop. */
const ABANDONED_STAGING_MS = 15 * 60_000;

export interface Workers {
  /** Stops the mail worker, then the job queue (letting a running job reach its next checkpoint). */
  stop(): Promise<void>;
}

/** The jobs this process knows: each kind, and what it does with its id. */
function jobHandlers(ctx: AppContext): Record<JobKind, (id: number) => Promise<void>> {
  return {
    'import.commit': (id) => runCommit(ctx, id),
    'import.rollback': (id) => runRollback(ctx, id),
    'users.bulk': (id) => runBulkAction(ctx, id),
  };
}

/**
 * Starts this process's consumers of the context's job queue (`ctx.jobs`): with `work` (a process
 * that runs jobs, not a web-only one) its job handlers and its mail worker (`ctx.mail`), and work a
 * previous process left unfinished (a crash, a kill -9) is sent again at once; the import's lease
 * decides who takes it. Every process says "mail queued" through the queue. The context itself is
 * not changed: the queue and the mail worker are part of it from the start.
 */
export async function startWorkers(ctx: AppContext, work = true): Promise<Workers> {
  // Jobs share the process's connection: on SQLite one connection per process avoids lock waits
  // that a synchronous driver would spend blocking the event loop; batches yield between them.
  const onError: JobErrorReporter = (err, job) => {
    if (err instanceof JobBusy) ctx.log.info({ job }, 'job is held by another worker; will retry');
    else if (job) ctx.log.error({ err, job }, 'background job failed');
    else ctx.log.error({ err }, 'job queue error');
  };
  const queue = ctx.jobs;
  // Web-only processes announce too: a resend through them wakes a worker process.
  const removeAnnouncer = installMailAnnouncer((db) => queue.announceMail(db));
  let indexer: SearchIndexer | null = null;
  if (work) {
    let handlers: JobHandlers = jobHandlers(ctx);
    if (ctx.storage.dialect === 'sqlite') {
      // Held by another process (or by this one's previous life): try again once its lease runs out.
      // (pg-boss retries by itself.)
      const retryWhenFree = (kind: string, run: (id: number) => Promise<void>) => async (id: number) => {
        try {
          await run(id);
        } catch (e) {
          if (!(e instanceof JobBusy)) throw e;
          onError(e, { kind, id });
          setTimeout(() => void queue.enqueue(kind, id), e.retryAfterMs + 100).unref();
        }
      };
      handlers = Object.fromEntries(
        Object.entries(handlers).map(([kind, run]) => [kind, retryWhenFree(kind, run)]),
      );
    }
    // The mail worker sends the outbox at the shared rate; every process that runs jobs runs one.
    ctx.mail.start();
    await queue.work({ handlers, onError, onMailQueued: () => ctx.mail.wake() });
    indexer = startSearchIndexer(ctx);
    // An upload is read within the reading time limit: one still staging long after was cut off by a stop.
    const since = new Date(ctx.now().getTime() - ABANDONED_STAGING_MS).toISOString();
    for (const id of await abandonedStaging(ctx.db, since)) {
      ctx.log.info({ importId: id }, 'removing an upload left unfinished by a stop');
      await discardStaging(ctx, id);
    }
    for (const id of await importsInStatus(ctx.db, COMMIT_STATUSES)) {
      ctx.log.info({ importId: id }, 'resuming import commit');
      await queue.enqueue('import.commit', id);
    }
    for (const id of await importsInStatus(ctx.db, ['rolling_back'])) {
      ctx.log.info({ importId: id }, 'resuming import rollback');
      await queue.enqueue('import.rollback', id);
    }
    for (const id of await unfinishedBulkActions(ctx.db)) {
      ctx.log.info({ bulkActionId: id }, 'resuming a bulk action on users');
      await queue.enqueue('users.bulk', id);
    }
  }
  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        removeAnnouncer();
        await indexer?.stop();
        await ctx.mail.stop();
        await queue.stop();
      })();
      return stopping;
    },
  };
}
