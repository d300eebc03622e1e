import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { mailSettled, until } from '../support/wait.js';

/**
 * The embedded default without SMTP_URL: email goes to the local mailbox in the database, shown by
 * GET /api/v1/mailbox, so the whole flow works on one machine.
 */
let api: TestApi;
let world: World;
let admin: Caller;

beforeAll(async () => {
  api = await startApi({ env: { MAIL_POLL_SECONDS: '0.1', PUBLIC_URL: 'http://roster.local:3000' } });
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
});
afterAll(() => api.close());

interface MailboxItem {
  id: number;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
}

async function mailbox(to: string, count = 1): Promise<MailboxItem[]> {
  return until(
    `mail to ${to} in the mailbox`,
    async () => {
      const res = await admin.token({ method: 'GET', url: `/api/v1/mailbox?to=${encodeURIComponent(to)}` });
      expect(res.statusCode).toBe(200);
      return res.json().items as MailboxItem[];
    },
    (items) => items.length >= count,
    20_000,
  );
}

describe(`the local mailbox on ${process.env.ROSTER_TEST_DB}`, () => {
  it('delivers invitations to the mailbox, once each, and the link in it activates the user', async () => {
    const status = (await admin.token({ method: 'GET', url: '/api/v1/mail' })).json();
    expect(status).toMatchObject({ transport: 'mailbox', paused: false, ratePerMinute: 120 });

    const created = await admin.token({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: 'Local.Person@mail.example', firstName: 'Local', customerId: world.acme.id },
    });
    const userId = created.json().id as number;
    const sent = await admin.token({
      method: 'POST',
      url: `/api/v1/users/${userId}/invitations`,
      payload: { message: 'See you <soon>' },
    });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json()).toMatchObject({ userId, purpose: 'activation', status: 'open' });

    const [mail] = await mailbox('Local.Person@mail.example');
    expect(mail!.subject).toBe('You are invited to Customer Portal');
    expect(mail!.from).toBe('Roster <roster@localhost>');
    expect(mail!.text).toContain('See you <soon>');
    expect(mail!.html).toContain('See you &lt;soon&gt;');
    const link = /http:\/\/roster\.local:3000\/activate\?token=([\w-]+)/.exec(mail!.text)!;
    expect(link).not.toBeNull();

    // Stored as a mail server would keep it: a whole RFC 5322 message.
    const raw = await api.db.ctx.db
      .selectFrom('mailbox')
      .select('raw')
      .where('id', '=', mail!.id)
      .executeTakeFirstOrThrow();
    const parsed = await simpleParser(raw.raw);
    expect(parsed.subject).toBe(mail!.subject);
    expect(parsed.text).toContain(link[0]);

    const emails = (await admin.token({ method: 'GET', url: `/api/v1/users/${userId}/emails` })).json();
    expect(emails).toMatchObject([{ status: 'sent', attempts: 1, kind: 'invitation' }]);

    const activated = await api.request({
      method: 'POST',
      url: '/api/v1/portal/activate',
      payload: { token: link[1], password: 'a long local password' },
    });
    expect(activated.statusCode, activated.body).toBe(200);
    expect((await admin.token({ method: 'GET', url: `/api/v1/users/${userId}` })).json().status).toBe(
      'active',
    );
    const login = await api.request({
      method: 'POST',
      url: '/api/v1/portal/login',
      payload: { login: 'local.person@mail.example', password: 'a long local password' },
    });
    expect(login.statusCode).toBe(200);
    await mailSettled(api.db.ctx);
    expect(await mailbox('Local.Person@mail.example')).toHaveLength(1);
  });

  it('lists the outbox with statuses and counts, and a scoped admin sees only its own customer', async () => {
    const other = await admin.token({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: 'globex.person@mail.example', customerId: world.globex.id },
    });
    const otherId = other.json().id as number;
    await admin.token({ method: 'POST', url: `/api/v1/users/${otherId}/invitations`, payload: {} });
    await mailbox('globex.person@mail.example');

    const all = (await admin.token({ method: 'GET', url: '/api/v1/emails' })).json();
    expect(all.items.map((e: { recipient: string }) => e.recipient)).toEqual([
      'globex.person@mail.example',
      'Local.Person@mail.example',
    ]);
    expect(all.counts).toEqual({ queued: 0, sending: 0, sent: 2, failed: 0 });
    expect(all.items[0]).toMatchObject({ status: 'sent', attempts: 1, kind: 'invitation', lastError: null });
    const failed = (await admin.token({ method: 'GET', url: '/api/v1/emails?status=failed' })).json();
    expect(failed.items).toEqual([]);
    const byUser = (await admin.token({ method: 'GET', url: `/api/v1/emails?userId=${otherId}` })).json();
    expect(byUser.items).toHaveLength(1);

    const scoped = await api.caller('user_admin', world.acme.id);
    const own = (await scoped.token({ method: 'GET', url: '/api/v1/emails' })).json();
    expect(own.items.map((e: { recipient: string }) => e.recipient)).toEqual(['Local.Person@mail.example']);
    expect(own.counts.sent).toBe(1);
    const outside = await scoped.token({ method: 'GET', url: `/api/v1/emails?userId=${otherId}` });
    expect(outside.statusCode).toBe(404);
  });

  it('shows the mailbox to global administrators only', async () => {
    for (const caller of [await api.caller('user_admin'), await api.caller('administrator', world.acme.id)]) {
      const res = await caller.token({ method: 'GET', url: '/api/v1/mailbox' });
      expect(res.statusCode).toBe(403);
    }
  });
});
