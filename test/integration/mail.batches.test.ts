import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, createContext } from '../../src/app/context.js';
import { BATCH_MAX, startMailWorker } from '../../src/app/mail/worker.js';
import { claimDue, type EmailRecord, insertEmails, type NewEmail } from '../../src/storage/queries/outbox.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { until } from '../support/wait.js';

/**
 * The mail worker's batches: a claim takes several emails in one statement, workers' claims never
 * overlap, and emails claimed by a worker that died (or stopped) mid-batch are sent later, once.
 * The emails here carry no link (import notices), so no users or invitations are needed.
 */
let db: TestDb;
let smtp: TestSmtp;

beforeAll(async () => {
  smtp = await startSmtp();
  db = await openTestDb({
    env: { SMTP_URL: smtp.url, MAIL_RATE_PER_MINUTE: '100000', MAIL_POLL_SECONDS: '0.1' },
  });
});
afterAll(async () => {
  await db.close();
  await smtp.close();
});
afterEach(async () => {
  await db.ctx.db.deleteFrom('outbox').execute();
  smtp.received.length = 0;
});

let seq = 0;
async function queueNotices(count: number): Promise<string[]> {
  const emails: NewEmail[] = [];
  for (let i = 0; i < count; i++) {
    const n = ++seq;
    emails.push({
      kind: 'import_finished',
      recipient: `batch${n}@mail.example`,
      recipientName: `Batch ${n}`,
      subject: `Notice ${n}`,
      text: `Notice ${n}`,
      html: `<p>Notice ${n}</p>`,
      messageId: `<batch-${n}@roster.test>`,
      importId: null,
      userId: null,
      invitationId: null,
      customerId: null,
    });
  }
  await insertEmails(db.ctx.db, emails, new Date(Date.now() - 1000).toISOString());
  return emails.map((e) => e.recipient);
}

const claim = (ctxDb: AppContext['db'], worker: string, limit: number, holdMs = 300_000) => {
  const now = Date.now();
  return claimDue(ctxDb, { worker, now, until: now + holdMs, at: new Date(now).toISOString(), limit });
};

const outboxRows = () =>
  db.ctx.db.selectFrom('outbox').select(['id', 'status', 'attempts', 'claimed_by']).orderBy('id').execute();

const workerCtx = (workerId: string, mail: Partial<AppContext['config']['mail']> = {}): AppContext => ({
  ...createContext(db.ctx.storage, { ...db.ctx.config, mail: { ...db.ctx.config.mail, ...mail } }),
  workerId,
});

/** Every address received exactly once, and nothing else. */
function expectEachOnce(addresses: string[]) {
  const got = smtp.received.flatMap((r) => r.to).sort();
  expect(got).toEqual([...addresses].sort());
}

const allSent = () =>
  until('every email sent', outboxRows, (rows) => rows.every((r) => r.status === 'sent'), 20_000);

describe(`mail batches on ${process.env.ROSTER_TEST_DB}`, () => {
  it('claims a batch in due order, and a second claim never takes an email of the first', async () => {
    await queueNotices(12);
    const ids = (await outboxRows()).map((r) => r.id);
    let first: EmailRecord[] = [];
    let second: EmailRecord[] = [];
    if (db.dialect === 'postgres') {
      // The first claim's transaction is still open (its rows locked) while the second runs: the
      // second passes the locked rows over instead of waiting for them or taking them too.
      await db.ctx.db.transaction().execute(async (trx) => {
        first = await claim(trx, 'worker-a', 5);
        second = await claim(db.ctx.db, 'worker-b', 5);
      });
    } else {
      first = await claim(db.ctx.db, 'worker-a', 5);
      second = await claim(db.ctx.db, 'worker-b', 5);
    }
    expect(first.map((e) => e.id)).toEqual(ids.slice(0, 5));
    expect(second.map((e) => e.id)).toEqual(ids.slice(5, 10));
    for (const e of [...first, ...second]) expect(e).toMatchObject({ status: 'sending', attempts: 1 });
    const third = await claim(db.ctx.db, 'worker-c', 5);
    expect(third.map((e) => e.id)).toEqual(ids.slice(10));
    expect(await claim(db.ctx.db, 'worker-d', 5)).toEqual([]);
    const holders = (await outboxRows()).map((r) => r.claimed_by);
    expect(holders).toEqual([
      ...Array(5).fill('worker-a'),
      ...Array(5).fill('worker-b'),
      ...Array(2).fill('worker-c'),
    ]);
  });

  it('many claims at once from two workers split the outbox without overlap', async () => {
    await queueNotices(60);
    const workers = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 'worker-a' : 'worker-b'));
    const taken = await Promise.all(workers.map((worker) => claim(db.ctx.db, worker, 7)));
    const ids = taken.flat().map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(60);
    // Each email is held by the worker whose claim answered it.
    const holder = new Map((await outboxRows()).map((r) => [r.id, r.claimed_by]));
    taken.forEach((batch, i) => {
      for (const e of batch) expect(holder.get(e.id)).toBe(workers[i]);
    });
  });

  it('two workers deliver more than a batch each, every email once', async () => {
    const addresses = await queueNotices(3 * BATCH_MAX);
    const a = startMailWorker(workerCtx('worker-a'));
    const b = startMailWorker(workerCtx('worker-b'));
    try {
      await smtp.waitFor(addresses.length);
      await allSent();
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expectEachOnce(addresses);
    expect((await outboxRows()).every((r) => r.attempts === 1 && r.claimed_by === null)).toBe(true);
  });

  it('sends a dead worker’s claimed batch again once its claim runs out: nothing lost, nothing twice', async () => {
    const addresses = await queueNotices(8);
    // A worker claimed the whole batch and died before settling any of it.
    const held = await claim(db.ctx.db, 'dead-worker', 20, 1_000);
    expect(held).toHaveLength(8);
    const worker = startMailWorker(workerCtx('live-worker'));
    try {
      await until('the live worker to wait for mail', () => worker.idle(), Boolean);
      // Still claimed: the live worker leaves them alone until the claim runs out.
      expect(smtp.received).toHaveLength(0);
      await smtp.waitFor(addresses.length);
      await allSent();
    } finally {
      await worker.stop();
    }
    expectEachOnce(addresses);
    // Two claims each: the dead worker's and the one that sent it.
    expect((await outboxRows()).map((r) => r.attempts)).toEqual(Array(8).fill(2));
  });

  it('a worker stopped mid-batch gives back the emails it has not tried, and they go out later', async () => {
    const addresses = await queueNotices(6);
    // Two a second: a round claims the slots of the next second, three emails, half a second apart.
    const slow = startMailWorker(workerCtx('slow-worker', { ratePerMinute: 120 }));
    try {
      await smtp.waitFor(1);
    } finally {
      await slow.stop();
    }
    const sentBefore = smtp.received.length;
    expect(sentBefore).toBeLessThan(addresses.length);
    const rows = await outboxRows();
    expect(rows.filter((r) => r.status === 'sending')).toEqual([]);
    // Given back untried: queued again with the attempt taken back.
    for (const r of rows.filter((row) => row.status === 'queued')) expect(r.attempts).toBe(0);
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(sentBefore);

    const next = startMailWorker(workerCtx('next-worker'));
    try {
      await smtp.waitFor(addresses.length);
      await allSent();
    } finally {
      await next.stop();
    }
    expectEachOnce(addresses);
  });
});
