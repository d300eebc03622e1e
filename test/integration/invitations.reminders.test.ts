import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, createContext } from '../../src/app/context.js';
import { runInvitationSweep } from '../../src/app/mail/worker.js';
import { emailKey } from '../../src/core/domain/email.js';
import { openStorage, type Storage } from '../../src/storage/database.js';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { importClient } from '../support/imports.js';
import { type Received, startSmtp, type TestSmtp } from '../support/smtp.js';
import { mailSettled, until } from '../support/wait.js';

/**
 * Scheduled invitation reminders (INVITE_REMINDER_DAYS / settings.inviteReminderDays): one reminder,
 * that many days after the invitation, to a user still pending whose invitation email went out;
 * none after expiry, none to active or disabled users, never two, however many workers sweep. Time
 * passes by moving the invitations back (as the expiry tests do): the outbox's due times and the
 * worker's clock stay real.
 */
let smtp: TestSmtp;
let api: TestApi;
let world: World;
let admin: Caller;

const DAY = 86_400_000;
const STRONG = 'violet mountain 42 river';

beforeAll(async () => {
  smtp = await startSmtp();
  api = await startApi({
    env: {
      SMTP_URL: smtp.url,
      MAIL_RATE_PER_MINUTE: '100000',
      MAIL_POLL_SECONDS: '0.1',
      PUBLIC_URL: 'http://roster.test',
      INVITE_REMINDER_DAYS: '3',
    },
  });
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
});
afterAll(async () => {
  await api.close();
  await smtp.close();
});

const get = (url: string) => admin.token({ method: 'GET', url });

/** These users' invitations, as if made `days` earlier (created and expiring that much sooner). */
async function backdate(userIds: readonly number[], days: number): Promise<void> {
  const db = api.db.ctx.db;
  const rows = await db
    .selectFrom('invitations')
    .select(['id', 'created_at', 'expires_at'])
    .where('user_id', 'in', [...userIds])
    .execute();
  const shift = (iso: string) => new Date(Date.parse(iso) - days * DAY).toISOString();
  for (const r of rows) {
    await db
      .updateTable('invitations')
      .set({ created_at: shift(r.created_at), expires_at: shift(r.expires_at) })
      .where('id', '=', r.id)
      .execute();
  }
}

const sweep = (ctx: AppContext = api.db.ctx) => runInvitationSweep(ctx);

const receivedBy = (email: string): Received[] =>
  smtp.received.filter((r) => r.to.some((to) => emailKey(to) === emailKey(email)));

const mailFor = async (email: string, count = 1): Promise<Received> =>
  (
    await until(
      `${count} email(s) to ${email}`,
      async () => receivedBy(email),
      (r) => r.length >= count,
    )
  )[count - 1]!;

const tokenIn = (received: Received): string => {
  const match = /http:\/\/roster\.test\/activate\?token=([A-Za-z0-9_-]+)/.exec(received.mail.text ?? '');
  if (!match) throw new Error(`no activation link in: ${received.mail.text}`);
  return match[1]!;
};

const activate = (token: string) =>
  api.request({ method: 'POST', url: '/api/v1/portal/activate', payload: { token, password: STRONG } });

const emailsOf = async (userId: number): Promise<{ kind: string; status: string }[]> =>
  (await get(`/api/v1/users/${userId}/emails`)).json();

let seq = 0;
/** A user with an invitation whose email went out. */
async function invitedUser(message?: string): Promise<{ id: number; email: string }> {
  const email = `remind${++seq}.${Date.now()}@mail.example`;
  const res = await admin.token({
    method: 'POST',
    url: '/api/v1/users',
    payload: { email, firstName: `Remy${seq}`, lastName: 'Nder', customerId: world.acme.id },
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as number;
  const invite = await admin.token({
    method: 'POST',
    url: `/api/v1/users/${id}/invitations`,
    payload: message === undefined ? {} : { message },
  });
  expect(invite.statusCode, invite.body).toBe(201);
  await until(
    `the invitation to ${email} sent`,
    () => emailsOf(id),
    (e) => e[0]?.status === 'sent',
  );
  return { id, email };
}

const remindersOf = async (userId: number) => (await emailsOf(userId)).filter((e) => e.kind === 'reminder');

describe(`invitation reminders on ${process.env.ROSTER_TEST_DB}`, () => {
  it('reminds a pending user once, the configured days after the invitation, with a link that activates', async () => {
    const user = await invitedUser();
    const first = await mailFor(user.email);

    await backdate([user.id], 2.9);
    expect((await sweep()).reminders).toBe(0);
    await backdate([user.id], 0.11);
    expect((await sweep()).reminders).toBe(1);
    expect((await sweep()).reminders).toBe(0);
    await backdate([user.id], 2);
    expect((await sweep()).reminders).toBe(0);

    const reminder = await mailFor(user.email, 2);
    expect(reminder.mail.subject).toBe('Reminder: activate your Customer Portal account');
    expect(await remindersOf(user.id)).toMatchObject([{ kind: 'reminder', status: 'sent' }]);
    // Its own link, to the same invitation: the invitation keeps its expiry and stays one.
    expect(tokenIn(reminder)).not.toBe(tokenIn(first));
    const invitations = (await get(`/api/v1/users/${user.id}/invitations`)).json();
    expect(invitations).toHaveLength(1);
    expect((await activate(tokenIn(reminder))).statusCode).toBe(200);
    expect((await activate(tokenIn(first))).statusCode).toBe(410);
    await mailSettled(api.db.ctx);
    expect(receivedBy(user.email)).toHaveLength(2);

    const audit = (await get('/api/v1/audit?entityType=invitation')).json();
    const entries = (Array.isArray(audit) ? audit : audit.items) as { action: string; actorLabel: string }[];
    expect(entries).toContainEqual(
      expect.objectContaining({ action: 'invitation.remind', actorLabel: 'invitation reminders' }),
    );
  });

  it("says the administrator's message of the invitation again, escaped", async () => {
    const message = 'Questions? Ask <b>Ops</b> & co.';
    const user = await invitedUser(message);
    const first = await mailFor(user.email);
    expect(first.mail.text).toContain(message);
    await backdate([user.id], 3.1);
    expect((await sweep()).reminders).toBe(1);
    const reminder = await mailFor(user.email, 2);
    expect(reminder.mail.subject).toBe('Reminder: activate your Customer Portal account');
    expect(reminder.mail.text).toContain(message);
    expect(reminder.mail.html).toContain('Questions? Ask &lt;b&gt;Ops&lt;/b&gt; &amp; co.');
    expect(reminder.mail.html).not.toContain('<b>Ops</b>');
  });

  it('reminds no active or disabled user, and not before the invitation email went out', async () => {
    const pending = await invitedUser();
    const activated = await invitedUser();
    expect((await activate(tokenIn(await mailFor(activated.email)))).statusCode).toBe(200);
    const disabled = await invitedUser();
    const off = await admin.token({
      method: 'PATCH',
      url: `/api/v1/users/${disabled.id}`,
      payload: { status: 'disabled' },
    });
    expect(off.statusCode, off.body).toBe(200);

    // Sending paused: this one's invitation is still in the outbox when the reminder falls due.
    await admin.token({ method: 'POST', url: '/api/v1/mail/pause' });
    let waiting: { id: number; email: string };
    try {
      const res = await admin.token({
        method: 'POST',
        url: '/api/v1/users',
        payload: {
          email: `waiting.${Date.now()}@mail.example`,
          firstName: 'Wait',
          customerId: world.acme.id,
        },
      });
      waiting = { id: res.json().id, email: res.json().email };
      await admin.token({ method: 'POST', url: `/api/v1/users/${waiting.id}/invitations`, payload: {} });
      await backdate([pending.id, activated.id, disabled.id, waiting.id], 4);
      expect((await sweep()).reminders).toBe(1);
    } finally {
      await admin.token({ method: 'POST', url: '/api/v1/mail/resume' });
    }
    expect(await remindersOf(pending.id)).toHaveLength(1);
    expect(await remindersOf(activated.id)).toHaveLength(0);
    expect(await remindersOf(disabled.id)).toHaveLength(0);
    expect(await remindersOf(waiting.id)).toHaveLength(0);
    await mailFor(pending.email, 2);
    await until(
      'the waiting invitation sent',
      () => emailsOf(waiting.id),
      (e) => e[0]?.status === 'sent',
    );

    // Once its invitation went out, the waiting user's reminder falls due like any other.
    expect((await sweep()).reminders).toBe(1);
    expect(await remindersOf(waiting.id)).toHaveLength(1);
  });

  it('queues one reminder per invitation when several workers sweep at once', async () => {
    const N = 30;
    const rows = Array.from({ length: N }, (_, i) => [`swept${i}@remind.example`, `Swept${i}`, 'Many']);
    const created = await importClient(admin, world.acme.id).upload(
      stringify([['Email', 'First name', 'Last name'], ...rows]),
      'people.csv',
      { targetOptions: { sendInvites: true } },
    );
    expect(created.statusCode, created.body).toBe(201);
    const importId = created.json().id as number;
    expect(
      (await admin.token({ method: 'POST', url: `/api/v1/imports/${importId}/commit` })).statusCode,
    ).toBe(202);
    expect((await settled(admin, importId)).counts.created).toBe(N);
    await until(
      'the import invitations sent',
      async () => (await get(`/api/v1/imports/${importId}/emails`)).json().counts,
      (c) => c.sent === N,
    );

    const users = (await get(`/api/v1/imports/${importId}/emails?limit=500`)).json().items as {
      userId: number;
    }[];
    await backdate(
      users.map((u) => u.userId),
      3.2,
    );
    // Three sweepers, two of them on connections of their own (as other processes would be).
    const ctx = api.db.ctx;
    const others: Storage[] = [0, 1].map(() =>
      openStorage({ databaseUrl: ctx.config.databaseUrl, sqlitePath: ctx.config.sqlitePath }),
    );
    try {
      const sweepers = [ctx, ...others.map((s) => ({ ...createContext(s, ctx.config), workerId: 'x' }))];
      const results = await Promise.all(sweepers.map((c) => sweep(c)));
      expect(results.reduce((sum, r) => sum + r.reminders, 0)).toBe(N);
    } finally {
      for (const s of others) await s.close();
    }
    const emails = await until(
      'the reminders sent',
      async () => (await get(`/api/v1/imports/${importId}/emails?limit=500`)).json(),
      (v) => v.counts.sent === 2 * N,
    );
    const reminders = (emails.items as { kind: string; recipient: string }[]).filter(
      (e) => e.kind === 'reminder',
    );
    expect(reminders).toHaveLength(N);
    expect(new Set(reminders.map((e) => e.recipient)).size).toBe(N);
    for (const [email] of rows) expect(receivedBy(email!), email).toHaveLength(2);
  });

  it('sends no reminder once the invitation expired, and none while the setting is 0', async () => {
    const off = await admin.token({
      method: 'PATCH',
      url: '/api/v1/settings',
      payload: { inviteReminderDays: 0 },
    });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().inviteReminderDays).toBe(0);
    const quiet = await invitedUser();
    await backdate([quiet.id], 4);
    expect((await sweep()).reminders).toBe(0);

    const on = await admin.token({
      method: 'PATCH',
      url: '/api/v1/settings',
      payload: { inviteReminderDays: 3 },
    });
    expect(on.json().inviteReminderDays).toBe(3);
    // Past the invitation's 7 days: the sweep expires it first, and reminds nobody.
    await backdate([quiet.id], 4);
    const swept = await sweep();
    expect(swept.reminders).toBe(0);
    expect(swept.users).toBeGreaterThanOrEqual(1);
    expect((await get(`/api/v1/users/${quiet.id}`)).json().status).toBe('expired');
    expect(await remindersOf(quiet.id)).toHaveLength(0);

    const bad = await admin.token({
      method: 'PATCH',
      url: '/api/v1/settings',
      payload: { inviteReminderDays: -1 },
    });
    expect(bad.statusCode).toBe(400);
  });
});
