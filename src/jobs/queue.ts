import type { Db } from '../storage/database.js';

/**
 * Background work: a job is a kind and the id of what it works on. The embedded default runs jobs
 * in this process, one at a time; with PostgreSQL they go through pg-boss (pg-boss-queue.ts).
 * Handlers are idempotent and resumable: a job run twice, or resumed after a crash, ends in the
 * same state as one run once.
 *
 * A queue exists with the context, so any process can send jobs; `work` starts taking them in this
 * process (and the mail wake-ups, which the queue also carries).
 */
export interface JobQueue {
  enqueue(kind: string, id: number): Promise<void>;
  /**
   * Says, in `db`'s transaction, that it queued mail: a process working this queue wakes its mail
   * worker (this process's on the embedded default; with PostgreSQL one worker process's, once the
   * transaction commits).
   */
  announceMail(db: Db): Promise<void>;
  /** Starts taking jobs and mail wake-ups in this process. */
  work(consumers: JobConsumers): Promise<void>;
  /** Resolves when no job is queued or running (tests and shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** What each kind of job does with its id. The queue knows nothing else of the work. */
export type JobHandlers = Readonly<Record<string, (id: number) => Promise<void>>>;

/** A job failed (`job` set), or the queue itself reported an error (`job` null). */
export type JobErrorReporter = (error: unknown, job: { kind: string; id: number } | null) => void;

export interface JobConsumers {
  handlers: JobHandlers;
  onError: JobErrorReporter;
  /** A mail wake-up arrived. */
  onMailQueued(): void;
}

export function unknownJob(kind: string): Error {
  return new Error(`No handler for jobs of kind "${kind}".`);
}

/** Jobs in this process, one at a time: those sent before `work` wait for it. */
export function inProcessQueue(): JobQueue {
  const pending: { kind: string; id: number }[] = [];
  let consumers: JobConsumers | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  let waiters: (() => void)[] = [];

  const pump = async (c: JobConsumers) => {
    while (pending.length > 0 && !stopped) {
      const job = pending.shift()!;
      try {
        const handle = c.handlers[job.kind];
        if (!handle) throw unknownJob(job.kind);
        await handle(job.id);
      } catch (e) {
        c.onError(e, job);
      }
    }
    running = null;
    const done = waiters;
    waiters = [];
    for (const w of done) w();
  };

  return {
    async enqueue(kind, id) {
      if (stopped) return;
      if (consumers && !consumers.handlers[kind]) throw unknownJob(kind);
      if (pending.some((j) => j.kind === kind && j.id === id)) return;
      pending.push({ kind, id });
      if (consumers) running ??= pump(consumers);
    },
    async announceMail() {
      consumers?.onMailQueued();
    },
    async work(c) {
      consumers = c;
      if (pending.length > 0) running ??= pump(c);
    },
    idle() {
      if (!running) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    async stop() {
      stopped = true;
      pending.length = 0;
      await running;
    },
  };
}
