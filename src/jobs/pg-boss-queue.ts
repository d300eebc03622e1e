import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import { type JobQueue, unknownJob } from './queue.js';

/** pg-boss queue names allow letters, digits, dashes, dots and underscores. */
const queueName = (kind: string) => `roster.${kind}`;
/** Wake-ups of the mail workers: one job per transaction that queued mail (see app/mail/announce.ts). */
const MAIL_QUEUED = 'roster.mail-queued';

/**
 * Jobs on PostgreSQL (pg-boss), for several web and worker processes. A job is sent once per
 * import and kind (singleton key); whoever works it claims the import's lease, so two workers never
 * run the same import, and a job whose worker died is retried and resumes where it stopped.
 *
 * The queue also carries the mail workers' wake-ups: a transaction that queues mail writes a
 * "mail queued" job with it; a worker process takes it (pg-boss polls every half second) and wakes
 * its mail worker, which otherwise looks at the outbox only every MAIL_POLL_SECONDS. The job only
 * says when to look; the outbox's claims still decide who sends what.
 *
 * pg-boss starts at the first use (a job sent, a wake-up, `work`): a context that never uses its
 * queue never connects it.
 */
export function pgBossQueue(
  connectionString: string,
  kinds: readonly string[],
  onQueueError: (error: unknown) => void,
): JobQueue {
  let working = false;
  let starting: Promise<PgBoss> | null = null;
  const started = () =>
    (starting ??= (async () => {
      const boss = new PgBoss({
        connectionString,
        schema: 'roster_jobs',
        max: 4,
        // Maintenance (expiry, archiving) is left to the processes that work jobs.
        supervise: working,
        schedule: false,
      });
      // The queue's own troubles (a lost connection, its maintenance), not any job's.
      boss.on('error', (e) => onQueueError(e));
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
      return boss;
    })());
  let running = 0;
  let waiters: (() => void)[] = [];
  return {
    async announceMail(db) {
      const boss = await started();
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
      if (!kinds.includes(kind)) throw unknownJob(kind);
      const boss = await started();
      await boss.send(queueName(kind), { id }, { singletonKey: `${kind}:${id}` });
    },
    async work({ handlers, onError, onMailQueued }) {
      working = true;
      const boss = await started();
      for (const kind of kinds) {
        const handle = handlers[kind];
        if (!handle) throw unknownJob(kind);
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
      // Every waiting wake-up at once: one is enough to set the worker going.
      await boss.work(MAIL_QUEUED, { pollingIntervalSeconds: 0.5, batchSize: 100 }, async () => {
        onMailQueued();
      });
    },
    idle() {
      return running === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
    async stop() {
      // Never started, or failed to: nothing to stop.
      const boss = await starting?.catch(() => null);
      if (!boss) return;
      await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
    },
  };
}
