/**
 * Background work: a job is a kind and the id of what it works on. The embedded default runs jobs
 * in this process, one at a time; with PostgreSQL they go through pg-boss (pg-boss-queue.ts).
 * Handlers are idempotent and resumable: a job run twice, or resumed after a crash, ends in the
 * same state as one run once.
 */
export interface JobQueue {
  enqueue(kind: string, id: number): Promise<void>;
  /** Resolves when no job is queued or running (tests and shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** What each kind of job does with its id. The queue knows nothing else of the work. */
export type JobHandlers = Readonly<Record<string, (id: number) => Promise<void>>>;

/** A job failed (`job` set), or the queue itself reported an error (`job` null). */
export type JobErrorReporter = (error: unknown, job: { kind: string; id: number } | null) => void;

export function unknownJob(kind: string): Error {
  return new Error(`No handler for jobs of kind "${kind}".`);
}

export function inProcessQueue(handlers: JobHandlers, onError: JobErrorReporter): JobQueue {
  const pending: { kind: string; id: number }[] = [];
  let running: Promise<void> | null = null;
  let stopped = false;
  let waiters: (() => void)[] = [];

  const pump = async () => {
    while (pending.length > 0 && !stopped) {
      const job = pending.shift()!;
      try {
        const handle = handlers[job.kind];
        if (!handle) throw unknownJob(job.kind);
        await handle(job.id);
      } catch (e) {
        onError(e, job);
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
      if (!handlers[kind]) throw unknownJob(kind);
      if (pending.some((j) => j.kind === kind && j.id === id)) return;
      pending.push({ kind, id });
      running ??= pump();
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
