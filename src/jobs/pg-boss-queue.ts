import PgBoss from 'pg-boss';
import type { JobHandler, JobKind, JobQueue } from './queue.js';

const KINDS: JobKind[] = ['import.commit', 'import.rollback'];
/** pg-boss queue names allow letters, digits, dashes, dots and underscores. */
const queueName = (kind: JobKind) => `roster.${kind}`;

/**
 * Jobs on PostgreSQL (pg-boss), for several web and worker processes. A job is sent once per
 * import and kind (singleton key); whoever works it claims the import's lease, so two workers never
 * run the same import, and a job whose worker died is retried and resumes where it stopped.
 */
export async function pgBossQueue(
  connectionString: string,
  handle: JobHandler,
  onError: (e: unknown, kind: JobKind, id: number) => void,
  work: boolean,
): Promise<JobQueue> {
  const boss = new PgBoss({
    connectionString,
    schema: 'roster_jobs',
    max: 4,
    supervise: work,
    schedule: false,
  });
  boss.on('error', (e) => onError(e, 'import.commit', 0));
  await boss.start();
  for (const kind of KINDS) {
    await boss.createQueue(queueName(kind), {
      name: queueName(kind),
      retryLimit: 50,
      retryDelay: 2,
      expireInSeconds: 6 * 3600,
    });
  }
  let running = 0;
  let waiters: (() => void)[] = [];
  if (work) {
    for (const kind of KINDS) {
      await boss.work<{ importId: number }>(
        queueName(kind),
        { pollingIntervalSeconds: 0.5, batchSize: 1 },
        async (jobs) => {
          running++;
          try {
            for (const job of jobs) {
              try {
                await handle(kind, job.data.importId);
              } catch (e) {
                onError(e, kind, job.data.importId);
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
  return {
    async enqueue(kind, importId) {
      await boss.send(queueName(kind), { importId }, { singletonKey: `${kind}:${importId}` });
    },
    idle() {
      return running === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
    },
  };
}
