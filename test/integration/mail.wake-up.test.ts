import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailKey } from '../../src/core/domain/email.js';
import { type Caller, settled, startApi, TEST_PASSWORD, type TestApi } from '../support/api.js';
import { serve, spawnRoster } from '../support/cli.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { importClient } from '../support/imports.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { until } from '../support/wait.js';

/**
 * Mail workers that look at the outbox only once a minute (MAIL_POLL_SECONDS=60) still send new
 * mail at once: the transaction that queues it wakes them (in process on the embedded default,
 * through the job queue with DATABASE_URL, across processes too).
 */
const POLL = '60';
/** Far below the minute a worker would otherwise sleep. */
const PROMPT_MS = 15_000;

let smtp: TestSmtp;
let api: TestApi;
let world: World;
let admin: Caller;

beforeAll(async () => {
  smtp = await startSmtp();
  api = await startApi({
    env: { SMTP_URL: smtp.url, MAIL_RATE_PER_MINUTE: '100000', MAIL_POLL_SECONDS: POLL },
  });
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
});
afterAll(async () => {
  await api.close();
  await smtp.close();
});

describe(`mail wake-ups on ${process.env.ROSTER_TEST_DB}`, () => {
  it('delivers an import’s invitations at once although the worker polls once a minute', async () => {
    // The worker has had its first look (an empty outbox) and sleeps for a minute.
    await until('the mail worker to wait for mail', () => api.db.ctx.mail.idle(), Boolean);
    const N = 20;
    const rows = Array.from({ length: N }, (_, i) => [`woken${i}@wake.example`, `Woken${i}`, 'Up']);
    const created = await importClient(admin, world.acme.id).upload(
      stringify([['Email', 'First name', 'Last name'], ...rows]),
      'people.csv',
      { targetOptions: { sendInvites: true } },
    );
    expect(created.statusCode, created.body).toBe(201);
    const start = Date.now();
    const commit = await admin.token({ method: 'POST', url: `/api/v1/imports/${created.json().id}/commit` });
    expect(commit.statusCode, commit.body).toBe(202);
    expect((await settled(admin, created.json().id)).counts.created).toBe(N);
    await smtp.waitFor(N, PROMPT_MS);
    expect(Date.now() - start).toBeLessThan(PROMPT_MS);
    expect(new Set(smtp.received.map((r) => emailKey(r.to[0]!))).size).toBe(N);
  });
});

describe.runIf(process.env.ROSTER_TEST_DB === 'postgres')('mail wake-ups across processes', () => {
  it('a resend through a web-only process wakes the mail worker of a worker process', async () => {
    const env = {
      ...api.db.env,
      SMTP_URL: smtp.url,
      MAIL_RATE_PER_MINUTE: '100000',
      MAIL_POLL_SECONDS: POLL,
    };
    const web = await serve({ ...env, RUN_JOBS: 'false' });
    const worker = spawnRoster(['worker'], { ...env, LOG_LEVEL: 'info' });
    try {
      // The worker process has had its first look (an empty outbox) and sleeps for a minute.
      await until(
        'the worker process to wait for mail',
        () => worker.output(),
        (out) => /the outbox is sent; waiting for mail/.test(out),
      );
      // The in-process worker of this test file must not be the one to send: pause it by stopping it.
      await api.db.ctx.jobs.stop();

      const login = await fetch(`${web.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: admin.email, password: TEST_PASSWORD }),
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const headers = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
      const user = (await (
        await fetch(`${web.url}/api/v1/users`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            email: 'across@wake.example',
            firstName: 'Across',
            customerId: world.acme.id,
          }),
        })
      ).json()) as { id: number };
      const before = smtp.received.length;
      const start = Date.now();
      const invite = await fetch(`${web.url}/api/v1/users/${user.id}/invitations`, {
        method: 'POST',
        headers,
        body: '{}',
      });
      expect(invite.status).toBe(201);
      const got = await smtp.waitFor(before + 1, PROMPT_MS);
      expect(Date.now() - start).toBeLessThan(PROMPT_MS);
      expect(got[before]!.to).toEqual(['across@wake.example']);
    } finally {
      web.child.kill('SIGTERM');
      worker.child.kill('SIGTERM');
      await Promise.all([once(web.child, 'exit'), once(worker.child, 'exit')]);
    }
  });
});
