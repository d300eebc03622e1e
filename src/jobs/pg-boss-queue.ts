import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import type { Db } from '../storage/database.js';
import { type JobErrorReporter, type JobHandlers, type JobQueue, unknownJob } from './queue.js';

/** pg-boss queue names allow letters, digits, dashes, dots and underscores. */
const queueName = (kind: string) => `roster.${kind}`;
/** Wake-ups of the mail workers: one job per transaction that queued mail (see app/mail/announce.ts). */
const MAIL_QUEUED = 'roster.mail-queued';

export interface PgBossJobQueue extends JobQueue {
  /** Writes a "mail queued" wake-up in `db`'s transaction: a worker process hears it once committed. */
  announceMail(db: Db): Promise<void>;
}

export interface PgBossQueueOptions {
  /** Whether this process works jobs (a web-only process only sends them). */
  work: boolean;
  /** Called in a working process when a "mail queued" wake-up arrives. */
  onMailQueued?: () => void;
}

/**
 * Jobs on PostgreSQL (pg-boss), for several web and worker processes. A job is sent once per
 * import and kind (singleton key); whoever works it claims the import's lease, so two workers never
 * run the same import, and a job whose worker died is retried and resumes where it stopped.
 *
 * The queue also carries the mail workers' wake-ups: a transaction that queues mail writes a
 * "mail queued" job with it; a worker process takes it (pg-boss polls every half second) and wakes
 * its mail worker, which otherwise looks at the outbox only every MAIL_POLL_SECONDS. The job only
 * says when to look; the outbox's claims still decide who sends what.
 */
export async function pgBossQueue(
  connectionString: string,
  handlers: JobHandlers,
  onError: JobErrorReporter,
  { work, onMailQueued }: PgBossQueueOptions,
): Promise<PgBossJobQueue> {
  const boss = new PgBoss({
    connectionString,
    schema: 'roster_jobs',
    max: 4,
    supervise: work,
    schedule: false,
  });
  // The queue's own troubles (a lost connection, its maintenance), not any job's.
  boss.on('error', (e) => onError(e, null));
  const kinds = Object.keys(handlers);
  await boss.start();
  for (const kind of kinds) {
    await boss.createQueue(queueName(kind), {
      name: queueName(kind),
      retryLimit: 50,
      retryDelay: 2,
      expireInSeconds: 6 * 3600,
    });
  }
  // Standard policy, no singleton key: a wake-up is written inside the caller's transaction, and a
  // unique key would make two transactions that queue mail wait on each other's uncommitted row.
  // No retries: the mail worker's own poll covers a wake-up that was lost with its worker.
  await boss.createQueue(MAIL_QUEUED, {
    name: MAIL_QUEUED,
    retryLimit: 0,
    expireInSeconds: 60,
    retentionMinutes: 60,
  });
  let running = 0;
  let waiters: (() => void)[] = [];
  if (work) {
    for (const kind of kinds) {
      const handle = handlers[kind]!;
      await boss.work<{ id?: number; importId?: number }>(
        queueName(kind),
        { pollingIntervalSeconds: 0.5, batchSize: 1 },
        async (jobs) => {
          running++;
          try {
            for (const job of jobs) {
              // Jobs sent before the payload was `{ id }` name their import `importId`.
              const id = job.data.id ?? job.data.importId ?? 0;
              try {
                await handle(id);
              } catch (e) {
                onError(e, { kind, id });
                throw e; // pg-boss retries it
              }
            }
          } finally {
            running--;
            if (running === 0) {
              const done = waiters;
              waiters = [];
              for (const w of done) w();
            }
          }
        },
      );
    }
  }
  if (work && onMailQueued) {
    // Every waiting wake-up at once: one is enough to set the worker going.
    await boss.work(MAIL_QUEUED, { pollingIntervalSeconds: 0.5, batchSize: 100 }, async () => {
      onMailQueued();
    });
  }
  return {
    async announceMail(db) {
      await boss.send(
        MAIL_QUEUED,
        {},
        {
          db: {
            async executeSql(text: string, values: unknown[]) {
              const r = await db.executeQuery(CompiledQuery.raw(text, values));
              return { rows: r.rows as unknown[] };
            },
          },
        },
      );
    },
    async enqueue(kind, id) {
      if (!handlers[kind]) throw unknownJob(kind);
      await boss.send(queueName(kind), { id }, { singletonKey: `${kind}:${id}` });
    },
    idle() {
      return running === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
    },
  };
}
