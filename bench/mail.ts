import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import type { AppContext } from '../src/app/context.js';
import { requestCommit, runCommit } from '../src/app/imports/commit-import.js';
import { createImport } from '../src/app/imports/create-import.js';
import { getImport } from '../src/app/imports/manage-import.js';
import { startMailWorker } from '../src/app/mail/worker.js';
import { SETTINGS_BOUNDS } from '../src/core/domain/settings.js';
import { LINK_PLACEHOLDER, renderInvitation, withLink } from '../src/core/mail/templates.js';
import type { Dialect } from '../src/storage/database.js';
import { countByStatus } from '../src/storage/queries/outbox.js';
import { BENCH_ADMIN, createWorld, writeCsv } from './import-data.js';
import type { BenchEnv, Benchmark } from './lib/harness.js';
import { int, ms, table } from './lib/measure.js';
import { openTarget } from './lib/targets.js';

const LABEL: Record<Dialect, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** A fresh database of `dialect`, the file imported as new users; answers the commit's seconds. */
async function importFile(
  env: BenchEnv,
  dialect: Dialect,
  name: string,
  file: string,
  rows: number,
  sendInvites: boolean,
  then?: (ctx: AppContext) => Promise<void>,
): Promise<{ commitSeconds: number; emails: number }> {
  const target = await openTarget(env, dialect, name);
  try {
    const { ctx } = target;
    ctx.jobs = {
      enqueue: async () => {},
      announceMail: async () => {},
      work: async () => {},
      idle: async () => {},
      stop: async () => {},
    };
    // The worker's overhead, not the throttle: the highest rate the settings allow.
    const customerId = await createWorld(ctx, rows, fs.statSync(file).size, {
      mailRatePerMinute: SETTINGS_BOUNDS.mailRatePerMinute.max,
    });
    const view = await createImport(ctx, BENCH_ADMIN, {
      target: 'users',
      fileName: path.basename(file),
      filePath: file,
      options: { customerId, mode: 'upsert', targetOptions: { sendInvites } },
    });
    if (view.status !== 'validated' || view.rows.valid !== rows) {
      throw new Error(`dry run: ${view.status}, ${JSON.stringify(view.rows)}`);
    }
    const start = performance.now();
    await requestCommit(ctx, BENCH_ADMIN, view.id);
    await runCommit(ctx, view.id);
    const commitSeconds = (performance.now() - start) / 1000;
    const done = await getImport(ctx, BENCH_ADMIN, view.id);
    if (done.status !== 'completed' || done.counts.created !== rows) {
      throw new Error(`commit: ${done.status}, ${JSON.stringify(done.counts)}`);
    }
    const counts = await countByStatus(ctx.db, { importId: view.id });
    const emails = counts.queued + counts.sending + counts.sent + counts.failed;
    if (emails !== (sendInvites ? rows : 0)) throw new Error(`${emails} emails queued for ${rows} users`);
    await then?.(ctx);
    return { commitSeconds, emails };
  } finally {
    await target.close();
  }
}

/** smtp-server on 127.0.0.1 that accepts every message and keeps only a count. */
async function startSink(): Promise<{ url: string; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * The baseline: the same number of messages, of the same size, sent by a plain nodemailer loop
 * with the worker's transport options (one pooled connection), one after another.
 */
async function rawSends(url: string, count: number): Promise<number> {
  const transport = nodemailer.createTransport({ url, pool: true, maxConnections: 1, maxMessages: 500 });
  const content = withLink(
    renderInvitation({
      kind: 'invitation',
      portalName: 'Customer Portal',
      firstName: 'Maria',
      expiresAt: new Date().toISOString(),
      message: null,
    }),
    `http://127.0.0.1:3000/activate?token=${'x'.repeat(43)}`,
  );
  if (content.text.includes(LINK_PLACEHOLDER)) throw new Error('link not put in');
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    await transport.sendMail({
      from: 'Roster <roster@localhost>',
      to: { name: `Maria Garcia ${i}`, address: `maria.garcia${i}@northwind.example` },
      ...content,
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
  }
  const seconds = (performance.now() - start) / 1000;
  transport.close();
  return seconds;
}

/** The mail worker delivering the outbox the import filled (every email an invitation). */
async function workerSends(ctx: AppContext, url: string, sink: { received: () => number }, count: number) {
  const before = sink.received();
  const workerCtx: AppContext = {
    ...ctx,
    config: { ...ctx.config, mail: { ...ctx.config.mail, smtpUrl: url, pollMs: 50 } },
  };
  const start = performance.now();
  const worker = startMailWorker(workerCtx);
  try {
    await until(() => sink.received() - before >= count, 30 * 60_000);
    // Counted when the server has it; the worker marks it sent right after.
    const seconds = (performance.now() - start) / 1000;
    const counts = await countByStatus(ctx.db, {});
    return { seconds, counts };
  } finally {
    await worker.stop();
  }
}

interface QueueResult {
  dialect: Dialect;
  rows: number;
  without: number;
  with: number;
  emails: number;
}

interface SendResult {
  dialect: Dialect;
  count: number;
  rawSeconds: number;
  workerSeconds: number;
}

export const mailBench: Benchmark = {
  name: 'mail',
  description:
    'invitations queued by a users import (commit with and without sendInvites), and the mail worker against raw nodemailer sends',
  async run(env) {
    const { options, log } = env;
    const rows = options.inviteRows ?? 100_000;
    const sends = options.sends ?? 2_000;
    const file = path.join(env.tempDir(), `mail-people-${rows}.csv`);
    await writeCsv(file, rows);
    const sendFile = path.join(env.tempDir(), `mail-people-${sends}.csv`);
    await writeCsv(sendFile, sends);

    const queued: QueueResult[] = [];
    const sent: SendResult[] = [];
    for (const dialect of options.databases) {
      log(`\n== ${LABEL[dialect]}: import of ${int(rows)} new users, without and with sendInvites ==`);
      const without = await importFile(env, dialect, 'mail_plain', file, rows, false);
      log(`  without invitations: commit ${without.commitSeconds.toFixed(2)} s`);
      const invited = await importFile(env, dialect, 'mail_invites', file, rows, true);
      log(
        `  with invitations:    commit ${invited.commitSeconds.toFixed(2)} s, ${int(invited.emails)} emails`,
      );
      queued.push({
        dialect,
        rows,
        without: without.commitSeconds,
        with: invited.commitSeconds,
        emails: invited.emails,
      });

      log(`\n== ${LABEL[dialect]}: ${int(sends)} emails to smtp-server on 127.0.0.1 ==`);
      const sink = await startSink();
      try {
        // Untimed warm-up of the connection and the code paths.
        await rawSends(sink.url, 50);
        const rawSeconds = await rawSends(sink.url, sends);
        log(`  raw nodemailer loop: ${rawSeconds.toFixed(2)} s`);
        let workerSeconds = 0;
        await importFile(env, dialect, 'mail_sends', sendFile, sends, true, async (ctx) => {
          const r = await workerSends(ctx, sink.url, sink, sends);
          workerSeconds = r.seconds;
          log(`  mail worker:         ${workerSeconds.toFixed(2)} s (outbox: ${JSON.stringify(r.counts)})`);
        });
        sent.push({ dialect, count: sends, rawSeconds, workerSeconds });
      } finally {
        await sink.close();
      }
    }

    log('\n== invitations queued by an import ==\n');
    log(
      table(
        [
          'database, users',
          'commit s, no invites',
          'rows/s',
          'commit s, sendInvites',
          'rows/s',
          'with / without',
          'emails queued/s',
          'ms per 1,000 emails',
        ],
        queued.map((q) => [
          `${LABEL[q.dialect]}, ${int(q.rows)}`,
          q.without.toFixed(2),
          int(q.rows / q.without),
          q.with.toFixed(2),
          int(q.rows / q.with),
          `1/${(q.with / q.without).toFixed(2)}`,
          int(q.emails / q.with),
          ms(((q.with - q.without) * 1_000_000) / q.emails),
        ]),
      ),
    );
    log('\n== mail worker against raw nodemailer ==\n');
    log(
      table(
        [
          'database, emails',
          'raw s',
          'raw ms/email',
          'worker s',
          'worker ms/email',
          'overhead ms/email',
          'worker / raw',
        ],
        sent.map((s) => {
          const raw = (s.rawSeconds * 1000) / s.count;
          const worker = (s.workerSeconds * 1000) / s.count;
          return [
            `${LABEL[s.dialect]}, ${int(s.count)}`,
            s.rawSeconds.toFixed(2),
            ms(raw),
            s.workerSeconds.toFixed(2),
            ms(worker),
            ms(worker - raw),
            `${(worker / raw).toFixed(2)}×`,
          ];
        }),
      ),
    );
    log(
      '\nqueued: the users import of bench/import-data.ts (mode upsert, every row a new user), commit only' +
        '\n(requestCommit + runCommit) on a fresh database each; "with / without" compares the rows/s;' +
        '\n"emails queued/s" = emails ÷ the commit with sendInvites; "ms per 1,000 emails" = the difference.' +
        '\nsent: one pooled SMTP connection both ways; raw = nodemailer sendMail in a loop with a rendered' +
        '\ninvitation; worker = the mail worker sending the outbox an import filled (claim, rate slot, token,' +
        `\nsettle), rate ${int(SETTINGS_BOUNDS.mailRatePerMinute.max)}/min (one slot per 0.6 ms), timed until the server has them all.`,
    );
  },
};
