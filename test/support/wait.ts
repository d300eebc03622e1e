import type { AppContext } from '../../src/app/context.js';

/** The one way tests wait: for a condition, never for a fixed time. */
const pauseFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `read` until `done` accepts its value, and answers that value; fails after `timeoutMs`
 * naming `what` and the last value read.
 */
export async function until<T>(
  what: string,
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await pauseFor(everyMs);
  }
}

/**
 * Waits until the mail has settled: this process's mail worker (and any `others`) waits with
 * nothing to send now, or with sending paused, and no email is being sent. What was going to be
 * sent has been by then, so a test can check that nothing more was.
 */
export async function mailSettled(ctx: AppContext, ...others: { idle(): boolean }[]): Promise<void> {
  await until(
    'the mail to settle',
    async () => {
      const sending = await ctx.db
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'sending')
        .limit(1)
        .executeTakeFirst();
      return sending === undefined && [ctx.mail, ...others].every((worker) => worker.idle());
    },
    Boolean,
  );
}
