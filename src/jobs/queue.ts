/**
 * Background work. The embedded default runs jobs in this process, one at a time per kind; the
 * scale-out mode will put them on PostgreSQL. Job handlers are idempotent and resumable: a job
 * run twice, or resumed after a crash, ends in the same state as one run once.
 */
export type JobKind = 'import.commit' | 'import.rollback';

export interface JobQueue {
  enqueue(kind: JobKind, importId: number): Promise<void>;
  /** Resolves when no job is queued or running (tests and shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export type JobHandler = (kind: JobKind, importId: number) => Promise<void>;

export function inProcessQueue(
  handle: JobHandler,
  onError: (e: unknown, kind: JobKind, id: number) => void,
): JobQueue {
  const pending: { kind: JobKind; importId: number }[] = [];
  let running: Promise<void> | null = null;
  let stopped = false;
  let waiters: (() => void)[] = [];

  const pump = async () => {
    while (pending.length > 0 && !stopped) {
      const job = pending.shift()!;
      try {
        await handle(job.kind, job.importId);
      } catch (e) {
        onError(e, job.kind, job.importId);
      }
    }
    running = null;
    const done = waiters;
    waiters = [];
    for (const w of done) w();
  };

  return {
    async enqueue(kind, importId) {
      if (stopped) return;
      if (pending.some((j) => j.kind === kind && j.importId === importId)) return;
      pending.push({ kind, importId });
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
