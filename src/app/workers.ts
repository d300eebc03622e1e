import { COMMIT_STATUSES } from '../core/import/status.js';
import { pgBossQueue } from '../jobs/pg-boss-queue.js';
import { inProcessQueue, type JobErrorReporter, type JobHandlers, type JobQueue } from '../jobs/queue.js';
import { abandonedStaging, importsInStatus } from '../storage/queries/imports.js';
import type { AppContext } from './context.js';
import { runCommit } from './imports/commit-import.js';
import { discardStaging } from './imports/create-import.js';
import { JobBusy } from './imports/lease.js';
import { runRollback } from './imports/rollback-import.js';
import { installMailAnnouncer } from './mail/announce.js';
import { type MailWorker, startMailWorker } from './mail/worker.js';
import { type SearchIndexer, startSearchIndexer } from './users/search-index.js';

/** Longer than any upload takes to read: a staging import older than this was left by a stop. */
const ABANDONED_STAGING_MS = 15 * 60_000;

/**
 * Starts the job queue for this process and installs it in the context: in process on SQLite, on
 * PostgreSQL (pg-boss) otherwise. `work` says whether this process also runs jobs (a web-only
 * process only sends them). Work a previous process left unfinished (a crash, a kill -9) is sent
 * again at once; the import's lease decides who takes it.
 */
export interface Workers {
  /** Stops the mail worker, then the job queue (letting a running job reach its next checkpoint). */
  stop(): Promise<void>;
}

/** The jobs this process knows: each kind, and what it does with its id. */
function jobHandlers(ctx: AppContext): JobHandlers {
  return {
    'import.commit': (id) => runCommit(ctx, id),
    'import.rollback': (id) => runRollback(ctx, id),
  };
}

/**
 * Starts the job queue for this process and installs it in the context (`ctx.jobs`, and `ctx.mail`
 * when this process sends mail): in process on SQLite, on PostgreSQL (pg-boss) otherwise. `work`
 * says whether this process also runs jobs (a web-only process only sends them). Work a previous
 * process left unfinished (a crash, a kill -9) is sent again at once; the import's lease decides
 * who takes it.
 */
export async function startWorkers(ctx: AppContext, work = true): Promise<Workers> {
  // Jobs share the process's connection: on SQLite one connection per process avoids lock waits
  // that a synchronous driver would spend blocking the event loop; batches yield between them.
  const handlers = jobHandlers(ctx);
  const onError: JobErrorReporter = (err, job) => {
    if (err instanceof JobBusy) ctx.log.info({ job }, 'job is held by another worker; will retry');
    else if (job) ctx.log.error({ err, job }, 'background job failed');
    else ctx.log.error({ err }, 'job queue error');
  };
  let queue: JobQueue;
  // Set below once running; a wake-up that comes before only finds the worker's first look to do.
  let mail: MailWorker | null = null;
  let removeAnnouncer: () => void;
  let indexer: SearchIndexer | null = null;
  if (ctx.storage.dialect === 'postgres' && ctx.config.databaseUrl) {
    const boss = await pgBossQueue(ctx.config.databaseUrl, handlers, onError, {
      work,
      onMailQueued: () => mail?.wake(),
    });
    // Web-only processes announce too: a resend through them wakes a worker process.
    removeAnnouncer = installMailAnnouncer((db) => boss.announceMail(db));
    queue = boss;
  } else {
    // Held by another process (or by this one's previous life): try again once its lease runs out.
    const retryWhenFree = (kind: string, run: (id: number) => Promise<void>) => async (id: number) => {
      try {
        await run(id);
      } catch (e) {
        if (!(e instanceof JobBusy)) throw e;
        onError(e, { kind, id });
        setTimeout(() => void local.enqueue(kind, id), e.retryAfterMs + 100).unref();
      }
    };
    const local: JobQueue = inProcessQueue(
      Object.fromEntries(Object.entries(handlers).map(([kind, run]) => [kind, retryWhenFree(kind, run)])),
      onError,
    );
    queue = local;
    // One process: waking its own mail worker is all there is to announce.
    removeAnnouncer = installMailAnnouncer(async () => mail?.wake());
  }
  ctx.jobs = queue;
  if (work) {
    // The mail worker sends the outbox at the shared rate; every process that runs jobs runs one.
    mail = startMailWorker(ctx);
    ctx.mail = mail;
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
  }
  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        removeAnnouncer();
        await indexer?.stop();
        await mail?.stop();
        await queue.stop();
      })();
      return stopping;
    },
  };
}
