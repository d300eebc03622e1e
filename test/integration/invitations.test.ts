import { stringify } from 'csv-stringify/sync';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/app/context.js';
import { runInvitationSweep, startMailWorker } from '../../src/app/mail/worker.js';
import { emailKey } from '../../src/core/domain/email.js';
import { createLogger } from '../../src/http/server.js';
import { claimDue } from '../../src/storage/queries/outbox.js';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { expectUnchanged } from '../support/db-snapshot.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { type Received, startSmtp, type TestSmtp } from '../support/smtp.js';
import { multipart } from '../support/upload.js';
import { mailSettled, until } from '../support/wait.js';

/**
 * Invitations end to end, against a real SMTP server (smtp-server on 127.0.0.1) and a real
 * database: the outbox written with the users, the worker sending at the rate, retries, refusals,
 * the links from the received emails, activation, portal sign-in and password reset.
 */
let smtp: TestSmtp;
let api: TestApi;
let world: World;
let admin: Caller;
const logLines: string[] = [];
/** Every token and password this file handles: none may appear in the log. */
const secrets = new Set<string>();

const STRONG = 'violet mountain 42 river';

beforeAll(async () => {
  smtp = await startSmtp();
  const log = createLogger('info', { write: (line: string) => void logLines.push(line) });
  api = await startApi({
    env: {
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Roster <roster@roster.test>',
      MAIL_RATE_PER_MINUTE: '100000',
      MAIL_RETRY_SECONDS: '0.2',
      MAIL_POLL_SECONDS: '0.1',
      MAIL_MAX_ATTEMPTS: '4',
      PUBLIC_URL: 'http://roster.test',
    },
    log,
    serverLog: log,
  });
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
});
afterAll(async () => {
  await api.close();
  await smtp.close();
});

const get = (url: string) => admin.token({ method: 'GET', url });

let seq = 0;
async function newUser(fields: object = {}): Promise<{ id: number; email: string }> {
  const email = `person${++seq}.${Date.now()}@mail.example`;
  const res = await admin.token({
    method: 'POST',
    url: '/api/v1/users',
    payload: { email, firstName: `First${seq}`, lastName: 'Last', customerId: world.acme.id, ...fields },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().id, email };
}

async function invite(userId: number, message?: string): Promise<LightMyRequestResponse> {
  const res = await admin.token({
    method: 'POST',
    url: `/api/v1/users/${userId}/invitations`,
    payload: message === undefined ? {} : { message },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res;
}

interface EmailJson {
  id: number;
  kind: string;
  status: string;
  attempts: number;
  lastError: string | null;
  recipient: string;
  subject: string;
  text: string;
}

const emailsOf = async (userId: number): Promise<EmailJson[]> =>
  (await get(`/api/v1/users/${userId}/emails`)).json();

const receivedBy = (email: string): Received[] =>
  smtp.received.filter((r) => r.to.some((to) => emailKey(to) === emailKey(email)));

async function mailFor(email: string, count = 1): Promise<Received> {
  const all = await until(
    `${count} email(s) to ${email}`,
    async () => receivedBy(email),
    (r) => r.length >= count,
  );
  return all[count - 1]!;
}

function linkIn(received: Received, page = 'activate'): string {
  const match = new RegExp(`http://roster\\.test/${page}\\?token=([A-Za-z0-9_-]+)`).exec(
    received.mail.text ?? '',
  );
  if (!match) throw new Error(`no ${page} link in: ${received.mail.text}`);
  secrets.add(match[1]!);
  return match[0];
}

const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

function activate(token: string, password: string) {
  secrets.add(password);
  return api.request({ method: 'POST', url: '/api/v1/portal/activate', payload: { token, password } });
}

/** Opens a link from an email as a browser would: the page at its address. */
const openLinkPage = (link: string) =>
  api.request({ method: 'GET', url: new URL(link).pathname + new URL(link).search });

/** What the page a link opens asks the API first: whether the link still works, and for whom. */
const checkLink = (link: string, purpose: 'activation' | 'reset') =>
  api.request({
    method: 'POST',
    url: '/api/v1/portal/links/check',
    payload: { token: tokenOf(link), purpose },
  });

async function importUsers(rows: string[][], options: object) {
  const body = multipart(
    { target: 'users', options: JSON.stringify({ customerId: world.acme.id, ...options }) },
    { name: 'people.csv', content: stringify([['Email', 'First name', 'Last name'], ...rows]) },
  );
  const res = await admin.token({
    method: 'POST',
    url: '/api/v1/imports',
    payload: body.payload,
    headers: body.headers,
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as number;
  const commit = await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/commit` });
  expect(commit.statusCode, commit.body).toBe(202);
  return settled(admin, id);
}

const importEmails = async (id: number) => (await get(`/api/v1/imports/${id}/emails?limit=500`)).json();

describe(`invitations over SMTP on ${process.env.ROSTER_TEST_DB}`, () => {
  it('an import with sendInvites queues exactly one email per created user and delivers each once', async () => {
    const N = 50;
    const rows = Array.from({ length: N }, (_, i) => [`bulk${i}@import.example`, `Bulk${i}`, 'Import']);
    const done = await importUsers(rows, { targetOptions: { sendInvites: true }, mode: 'insert' });
    expect(done.status).toBe('completed');
    expect(done.counts.created).toBe(N);

    // Written with the users: every created user has an invitation and an email, right away.
    const queued = await importEmails(done.id);
    expect(queued.items).toHaveLength(N);
    expect(new Set(queued.items.map((e: EmailJson) => emailKey(e.recipient)))).toEqual(
      new Set(rows.map((r) => r[0]!)),
    );
    const sent = await until(
      'every email of the import sent',
      () => importEmails(done.id),
      (v) => v.counts.sent === N,
    );
    expect(sent.counts).toEqual({ queued: 0, sending: 0, sent: N, failed: 0 });
    for (const [email] of rows) {
      const got = receivedBy(email!);
      expect(got, email).toHaveLength(1);
      expect(got[0]!.mail.subject).toBe('You are invited to Customer Portal');
      expect(got[0]!.from).toBe('roster@roster.test');
    }
    const user = (await get(`/api/v1/users?q=${encodeURIComponent('bulk7@import.example')}`)).json().items[0];
    const invitations = (await get(`/api/v1/users/${user.id}/invitations`)).json();
    expect(invitations).toMatchObject([{ purpose: 'activation', status: 'open', importId: done.id }]);
  });

  it('invites only the users an import created: not the ones it updated, and none without sendInvites', async () => {
    const before = smtp.received.length;
    const upsert = await importUsers(
      [
        ['bulk1@import.example', 'Changed', 'Name'],
        ['bulk2@import.example', 'Changed', 'Name'],
        ['fresh1@import.example', 'Fresh', 'One'],
        ['fresh2@import.example', 'Fresh', 'Two'],
      ],
      { targetOptions: { sendInvites: true }, mode: 'upsert' },
    );
    expect(upsert.counts).toMatchObject({ created: 2, updated: 2 });
    const emails = await importEmails(upsert.id);
    expect(emails.items.map((e: EmailJson) => e.recipient).sort()).toEqual([
      'fresh1@import.example',
      'fresh2@import.example',
    ]);

    const quiet = await importUsers([['silent@import.example', 'Quiet', 'One']], {
      targetOptions: { sendInvites: false },
    });
    expect(quiet.counts.created).toBe(1);
    expect((await importEmails(quiet.id)).items).toHaveLength(0);
    await mailFor('fresh2@import.example');
    await mailSettled(api.db.ctx);
    expect(smtp.received.length - before).toBe(2);
  });

  it('emails the admin who started an import when it ends, if the settings ask for it', async () => {
    const setNotice = (on: boolean) =>
      admin.token({ method: 'PATCH', url: '/api/v1/settings', payload: { importFinishedEmail: on } });
    expect((await setNotice(true)).json().importFinishedEmail).toBe(true);
    try {
      const done = await importUsers([['notice1@import.example', 'Notice', 'One']], {
        targetOptions: { sendInvites: true },
      });
      const notice = await mailFor(admin.email);
      expect(notice.mail.subject).toBe(`Import ${done.id} (people.csv) finished`);
      expect(notice.mail.text).toContain('1 created, 0 updated');
      expect(notice.mail.text).toContain('1 invitation email(s) are queued');
      const emails = await until(
        'both emails of the import sent',
        () => importEmails(done.id),
        (v) => v.counts.sent === 2,
      );
      expect(emails.items.map((e: EmailJson) => e.kind).sort()).toEqual(['import_finished', 'invitation']);
    } finally {
      await setNotice(false);
    }
  });

  it('sends from the sender setting once an administrator sets it; a sender that is no address is refused', async () => {
    const setSender = (mailFrom: string) =>
      admin.token({ method: 'PATCH', url: '/api/v1/settings', payload: { mailFrom } });
    expect((await get('/api/v1/settings')).json().mailFrom).toBe('Roster <roster@roster.test>');
    for (const bad of [
      '',
      'not an address',
      'Roster <no-reply@example>',
      'Roster no-reply@example.com',
      'Evil\r\nBcc: spy@evil.example <a@acme.example>',
      'Acme, Inc <a@acme.example>',
    ]) {
      const res = await expectUnchanged(api.db.ctx.db, () => setSender(bad), JSON.stringify(bad));
      expect(res.statusCode, bad).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'request.invalid',
        details: { problems: [{ field: 'mailFrom' }] },
      });
    }
    const set = await setSender('  Acme Portal <no-reply@acme.example> ');
    expect(set.statusCode).toBe(200);
    expect(set.json().mailFrom).toBe('Acme Portal <no-reply@acme.example>');
    try {
      const user = await newUser();
      await invite(user.id);
      const received = await mailFor(user.email);
      expect(received.mail.from?.value).toEqual([{ name: 'Acme Portal', address: 'no-reply@acme.example' }]);
      expect(received.from).toBe('no-reply@acme.example');
      const status = await get('/api/v1/mail');
      expect(status.json().from).toBe('Acme Portal <no-reply@acme.example>');
    } finally {
      await setSender('Roster <roster@roster.test>');
    }
  });

  it('sends no faster than the rate: 60 a minute are a second apart', async () => {
    const setRate = (n: number) =>
      admin.token({ method: 'PATCH', url: '/api/v1/settings', payload: { mailRatePerMinute: n } });
    expect((await setRate(60)).statusCode).toBe(200);
    try {
      const users = [await newUser(), await newUser(), await newUser(), await newUser()];
      for (const u of users) await invite(u.id);
      const times: number[] = [];
      for (const u of users) times.push((await mailFor(u.email)).at);
      times.sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) {
        expect(times[i]! - times[i - 1]!, `gap ${i}`).toBeGreaterThanOrEqual(900);
      }
      expect(times[times.length - 1]! - times[0]!).toBeLessThan(6000);
    } finally {
      await setRate(100_000);
    }
  });

  it('retries a temporary refusal with back-off and loses nothing; gives up after the last attempt', async () => {
    const flaky = [await newUser(), await newUser(), await newUser()];
    const hopeless = await newUser();
    const refusing = new Set([...flaky, hopeless].map((u) => emailKey(u.email)));
    smtp.onRecipient = (address) =>
      refusing.has(emailKey(address))
        ? { accept: false, code: 451, message: '4.3.0 Mailbox busy, try again later' }
        : { accept: true };
    try {
      for (const u of [...flaky, hopeless]) await invite(u.id);
      // Each refused at least once and waiting for its next try: then the server accepts them.
      await until(
        'a retry of each flaky email',
        () => Promise.all(flaky.map(async (u) => (await emailsOf(u.id))[0]!)),
        (all) => all.every((e) => e.attempts >= 2 && e.status === 'queued'),
      );
      for (const u of flaky) refusing.delete(emailKey(u.email));
      const failed = await until(
        'the hopeless email to fail',
        () => emailsOf(hopeless.id),
        (e) => e[0]!.status === 'failed',
      );
      expect(failed[0]).toMatchObject({ attempts: 4 });
      expect(failed[0]!.lastError).toContain('451');
      for (const u of flaky) {
        const sent = await until(
          `the email to ${u.email}`,
          () => emailsOf(u.id),
          (e) => e[0]!.status === 'sent',
        );
        expect(sent[0]!.lastError).toBeNull();
        expect(receivedBy(u.email)).toHaveLength(1);
      }
      expect(receivedBy(hopeless.email)).toHaveLength(0);
    } finally {
      smtp.onRecipient = () => ({ accept: true });
    }
  });

  it('fails a permanently rejected address at once with the reason, and sends the others', async () => {
    const users = [await newUser(), await newUser(), await newUser()];
    const rejected = users[1]!;
    smtp.onRecipient = (address) =>
      emailKey(address) === emailKey(rejected.email)
        ? { accept: false, code: 550, message: '5.1.1 No such user here' }
        : { accept: true };
    try {
      for (const u of users) await invite(u.id);
      const failed = await until(
        'the rejected email',
        () => emailsOf(rejected.id),
        (e) => e[0]!.status === 'failed',
      );
      expect(failed[0]!.attempts).toBe(1);
      expect(failed[0]!.lastError).toMatch(/550.*No such user/);
      for (const u of [users[0]!, users[2]!]) {
        await until(
          `sent to ${u.email}`,
          () => emailsOf(u.id),
          (e) => e[0]!.status === 'sent',
        );
      }
    } finally {
      smtp.onRecipient = () => ({ accept: true });
    }
  });

  let activeUser: { id: number; email: string };

  it('activates with the link from the received email; an expired and a made-up link fail alike, a used one says the account is active', async () => {
    activeUser = await newUser({ roleIds: [world.roles.manager], groupIds: [world.groups.field] });
    const other = await newUser();
    await invite(activeUser.id);
    await invite(other.id);
    const mail = await mailFor(activeUser.email);
    const link = linkIn(mail);
    expect(mail.mail.html).toContain(`href="${link}"`);
    // The stored email keeps no link: the token exists only in the email that went out.
    const stored = await emailsOf(activeUser.id);
    expect(stored[0]!.text).not.toContain(tokenOf(link));

    // The link opens the console's activation page, which checks the link through the API.
    const page = await openLinkPage(link);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<div id="root">');
    expect(page.body).not.toContain(tokenOf(link));
    const checked = await checkLink(link, 'activation');
    expect(checked.statusCode, checked.body).toBe(200);
    expect(checked.json()).toEqual({ portalName: 'Customer Portal', email: activeUser.email });
    // Checking does not use the link up.
    expect((await checkLink(link, 'activation')).statusCode).toBe(200);

    const weak = await activate(tokenOf(link), 'aaaaaaaaaaaa');
    expect(weak.statusCode).toBe(400);
    expect(weak.json().code).toBe('password.too_weak');

    const ok = await activate(tokenOf(link), STRONG);
    expect(ok.statusCode, ok.body).toBe(200);
    const user = (await get(`/api/v1/users/${activeUser.id}`)).json();
    expect(user.status).toBe('active');
    expect(user.activatedAt).not.toBeNull();

    // The other user's link, expired (its invitation's time set in the past).
    const otherLink = linkIn(await mailFor(other.email));
    await api.db.ctx.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('user_id', '=', other.id)
      .execute();

    const answers = [
      await activate(tokenOf(otherLink), STRONG),
      await activate('madeUpTokenThatNobodyWasEverSentAtAll1234', STRONG),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBe(410);
      expect(res.json()).toEqual(answers[0]!.json());
    }
    expect(answers[0]!.json().code).toBe('invitation.link_invalid');
    expect(answers[0]!.json().message).toMatch(/expired or has already been used/);
    for (const url of [
      otherLink,
      'http://roster.test/activate?token=madeUpTokenThatNobodyWasEverSentAtAll1234',
    ]) {
      const res = await checkLink(url, 'activation');
      expect(res.statusCode).toBe(410);
      expect(res.json()).toEqual(answers[0]!.json());
    }
    // The used link of the now active account says so (naming no account), and changes nothing.
    const hashBefore = await api.db.ctx.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', activeUser.id)
      .executeTakeFirstOrThrow();
    for (const res of [
      await activate(tokenOf(link), 'another good password 7'),
      await checkLink(link, 'activation'),
    ]) {
      expect(res.statusCode).toBe(410);
      expect(res.json().code).toBe('invitation.account_active');
      expect(res.json().message).toMatch(/already: the account is active\. Sign in/);
      expect(res.body).not.toContain(activeUser.email);
    }
    expect(
      await api.db.ctx.db
        .selectFrom('users')
        .select('password_hash')
        .where('id', '=', activeUser.id)
        .executeTakeFirstOrThrow(),
    ).toEqual(hashBefore);

    // The sweep turns the pending user with the expired invitation into expired; a resend reopens.
    await runInvitationSweep(api.db.ctx);
    expect((await get(`/api/v1/users/${other.id}`)).json().status).toBe('expired');
    expect((await get(`/api/v1/users/${activeUser.id}`)).json().status).toBe('active');
    await invite(other.id);
    expect((await get(`/api/v1/users/${other.id}`)).json().status).toBe('pending');
    const reminder = await mailFor(other.email, 2);
    expect(reminder.mail.subject).toBe('Reminder: activate your Customer Portal account');
    const fresh = linkIn(reminder);
    expect((await activate(tokenOf(otherLink), STRONG)).json().code).toBe('invitation.link_invalid');
    expect((await activate(tokenOf(fresh), STRONG)).statusCode).toBe(200);
    // Once active, the replaced link too says the account is active.
    expect((await activate(tokenOf(otherLink), STRONG)).json().code).toBe('invitation.account_active');
    const history = (await get(`/api/v1/users/${other.id}/invitations`)).json();
    expect(history.map((i: { status: string }) => i.status)).toEqual(['used', 'expired']);
    // An active user with a password gets no new invitation.
    const again = await admin.token({
      method: 'POST',
      url: `/api/v1/users/${other.id}/invitations`,
      payload: {},
    });
    expect(again.statusCode).toBe(409);
  });

  it('signs the activated user in to the portal, with a session of its own', async () => {
    secrets.add(STRONG);
    const wrong = await api.request({
      method: 'POST',
      url: '/api/v1/portal/login',
      payload: { login: activeUser.email, password: 'not the password at all' },
    });
    expect(wrong.statusCode).toBe(401);
    const login = await api.request({
      method: 'POST',
      url: '/api/v1/portal/login',
      payload: { login: activeUser.email.toUpperCase(), password: STRONG },
    });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'roster_portal')!;
    expect(cookie.httpOnly).toBe(true);
    secrets.add(cookie.value);
    const csrf = login.json().csrfToken as string;
    const me = await api.request({
      method: 'GET',
      url: '/api/v1/portal/me',
      cookies: { roster_portal: cookie.value },
    });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({
      user: { id: activeUser.id, email: activeUser.email, status: 'active' },
      customer: { id: world.acme.id, name: 'Acme' },
      site: { id: world.acmeHq, name: 'HQ' },
      roles: [{ id: world.roles.manager, name: 'Manager' }],
      groups: [{ id: world.groups.field, name: 'Field' }],
    });
    // Sessions are apart: the portal cookie opens no admin route, an admin's no portal route.
    const adminRoute = await api.request({
      method: 'GET',
      url: '/api/v1/users',
      cookies: { roster_portal: cookie.value },
    });
    expect(adminRoute.statusCode).toBe(401);
    expect((await admin.token({ method: 'GET', url: '/api/v1/portal/me' })).statusCode).toBe(401);
    expect((await admin.cookie({ method: 'GET', url: '/api/v1/portal/me' })).statusCode).toBe(401);
    // Signing out needs the session's CSRF token.
    const forged = await api.request({
      method: 'POST',
      url: '/api/v1/portal/logout',
      cookies: { roster_portal: cookie.value },
    });
    expect(forged.statusCode).toBe(403);
    const out = await api.request({
      method: 'POST',
      url: '/api/v1/portal/logout',
      cookies: { roster_portal: cookie.value },
      headers: { 'x-csrf-token': csrf },
    });
    expect(out.statusCode).toBe(200);
    expect(
      (
        await api.request({
          method: 'GET',
          url: '/api/v1/portal/me',
          cookies: { roster_portal: cookie.value },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('throttles portal sign-in per account', async () => {
    const tries = [];
    for (let i = 0; i < 6; i++) {
      tries.push(
        await api.request({
          method: 'POST',
          url: '/api/v1/portal/login',
          payload: { login: 'nobody@mail.example', password: `wrong password ${i}` },
          remoteAddress: `10.9.0.${i}`,
        }),
      );
    }
    expect(tries.slice(0, 5).map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401]);
    expect(tries[5]!.statusCode).toBe(429);
    expect(tries[5]!.json().code).toBe('auth.too_many_attempts');
  });

  it('holds the portal account limit against 50 parallel wrong passwords', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api.request({
          method: 'POST',
          url: '/api/v1/portal/login',
          payload: { login: 'parallel@mail.example', password: `parallel wrong ${i}` },
          remoteAddress: '10.9.1.1',
        }),
      ),
    );
    const statuses = answers.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(45);
  });

  it('resets a password by email with the same link rules', async () => {
    const before = receivedBy(activeUser.email).length;
    const unknown = await api.request({
      method: 'POST',
      url: '/api/v1/portal/password-reset',
      payload: { email: 'nobody-here@mail.example' },
    });
    const known = await api.request({
      method: 'POST',
      url: '/api/v1/portal/password-reset',
      payload: { email: activeUser.email },
    });
    expect(unknown.statusCode).toBe(202);
    expect(known.statusCode).toBe(202);
    expect(known.json()).toEqual(unknown.json());
    const mail = await mailFor(activeUser.email, before + 1);
    expect(mail.mail.subject).toBe('Reset your Customer Portal password');
    const link = linkIn(mail, 'reset-password');
    // An activation link is no reset link, and the other way round.
    expect((await activate(tokenOf(link), 'some other password 9')).statusCode).toBe(410);
    expect((await openLinkPage(link)).statusCode).toBe(200);
    expect((await checkLink(link, 'activation')).statusCode).toBe(410);
    expect((await checkLink(link, 'reset')).json()).toEqual({
      portalName: 'Customer Portal',
      email: activeUser.email,
    });
    const NEW = 'a brand new password 11';
    secrets.add(NEW);
    const confirm = () =>
      api.request({
        method: 'POST',
        url: '/api/v1/portal/password-reset/confirm',
        payload: { token: tokenOf(link), password: NEW },
      });
    expect((await confirm()).statusCode).toBe(200);
    expect((await confirm()).statusCode).toBe(410);
    const login = (password: string) =>
      api.request({
        method: 'POST',
        url: '/api/v1/portal/login',
        payload: { login: activeUser.email, password },
      });
    expect((await login(STRONG)).statusCode).toBe(401);
    expect((await login(NEW)).statusCode).toBe(200);
    await mailSettled(api.db.ctx);
    expect(receivedBy('nobody-here@mail.example')).toHaveLength(0);
  });

  it('escapes names, the portal name and the message: headers stay whole, HTML stays text', async () => {
    const portalName = 'Acme <b>Portal</b>\r\nBcc: portal-injection@evil.example';
    expect(
      (await admin.token({ method: 'PATCH', url: '/api/v1/settings', payload: { portalName } })).statusCode,
    ).toBe(200);
    try {
      const user = await newUser({
        firstName: 'Eve\r\nBcc: first-injection@evil.example',
        lastName: '<script>alert(1)</script>',
        displayName: 'Mallory\r\nX-Injected: yes\r\nBcc: display-injection@evil.example',
      });
      await invite(
        user.id,
        'Welcome <img src=x onerror=alert(1)>\r\nSubject: injected\r\n\r\n<a href="http://evil.example">click</a>',
      );
      const got = await mailFor(user.email);
      expect(got.to).toEqual([user.email]);
      const headers = got.mail.headers;
      expect(headers.has('bcc')).toBe(false);
      expect(headers.has('x-injected')).toBe(false);
      const head = got.raw.split(/\r?\n\r?\n/)[0]!;
      expect(head).not.toMatch(/^Bcc:/im);
      expect(head).not.toMatch(/^X-Injected:/im);
      expect(head).not.toMatch(/^Subject: injected/im);
      expect(got.mail.subject).toBe(
        'You are invited to Acme <b>Portal</b> Bcc: portal-injection@evil.example',
      );
      const to = got.mail.to as { value: { address: string; name: string }[] };
      expect(to.value).toHaveLength(1);
      expect(to.value[0]!.address).toBe(user.email);
      expect(to.value[0]!.name).not.toMatch(/[\r\n]/);
      const html = got.mail.html as string;
      expect(html).not.toContain('<img src=x');
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<b>Portal</b>');
      expect(html).not.toContain('<a href="http://evil.example"');
      expect(html).toContain('Welcome &lt;img src=x onerror=alert(1)&gt;');
      expect(html).toContain('Acme &lt;b&gt;Portal&lt;/b&gt;');
      expect(got.mail.text).toContain('Welcome <img src=x onerror=alert(1)>');
      linkIn(got);
      for (const evil of ['first-injection', 'display-injection', 'portal-injection']) {
        expect(smtp.received.some((r) => r.to.some((t) => t.includes(evil)))).toBe(false);
      }
    } finally {
      await admin.token({
        method: 'PATCH',
        url: '/api/v1/settings',
        payload: { portalName: 'Customer Portal' },
      });
    }
  });

  it('pauses and resumes sending; queued email waits and nothing is lost', async () => {
    const pause = await admin.token({ method: 'POST', url: '/api/v1/mail/pause' });
    expect(pause.json()).toMatchObject({ paused: true, transport: 'smtp' });
    const user = await newUser();
    await invite(user.id);
    await mailSettled(api.db.ctx);
    expect(receivedBy(user.email)).toHaveLength(0);
    expect((await emailsOf(user.id))[0]!.status).toBe('queued');
    const resume = await admin.token({ method: 'POST', url: '/api/v1/mail/resume' });
    expect(resume.json().paused).toBe(false);
    await mailFor(user.email);
    const status = (await get('/api/v1/mail')).json();
    expect(status.counts.queued).toBe(0);
    expect(status.counts.sent).toBeGreaterThan(60);
  });

  it('never sends one email twice with two workers, and sends again what a dead worker held', async () => {
    const ctx = api.db.ctx;
    const second = startMailWorker({ ...createContext(ctx.storage, ctx.config), workerId: 'second-worker' });
    try {
      await admin.token({ method: 'POST', url: '/api/v1/mail/pause' });
      const users: { id: number; email: string }[] = [];
      for (let i = 0; i < 20; i++) users.push(await newUser());
      for (const u of users) await invite(u.id);
      // A worker that died mid-send: it claimed one email, briefly, and never settled it.
      const now = Date.now();
      const [held] = await claimDue(ctx.db, {
        worker: 'dead-worker',
        now,
        until: now + 300,
        at: new Date(now).toISOString(),
        limit: 1,
      });
      expect(held?.status).toBe('sending');
      await admin.token({ method: 'POST', url: '/api/v1/mail/resume' });
      second.wake();
      for (const u of users) await mailFor(u.email);
      await mailSettled(api.db.ctx, second);
      for (const u of users) {
        expect(receivedBy(u.email), u.email).toHaveLength(1);
        expect((await emailsOf(u.id))[0]!.status).toBe('sent');
      }
      const ids = smtp.received.map((r) => r.mail.messageId);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await second.stop();
    }
  });

  it('resends in bulk to the pending and expired users of an import', async () => {
    const done = await importUsers(
      [
        ['again1@import.example', 'Again', 'One'],
        ['again2@import.example', 'Again', 'Two'],
        ['again3@import.example', 'Again', 'Three'],
      ],
      { targetOptions: { sendInvites: true } },
    );
    await until(
      'the import emails sent',
      () => importEmails(done.id),
      (v) => v.counts.sent === 3,
    );
    // One of them activates; the bulk resend reaches the other two.
    const link = linkIn(await mailFor('again1@import.example'));
    expect((await activate(tokenOf(link), STRONG)).statusCode).toBe(200);
    const res = await admin.token({
      method: 'POST',
      url: '/api/v1/invitations/resend',
      payload: { importId: done.id, message: 'Second try' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ invited: 2 });
    await until(
      'the resent emails sent',
      () => importEmails(done.id),
      (v) => v.counts.sent === 5,
    );
    const second = await mailFor('again2@import.example', 2);
    expect(second.mail.text).toContain('Second try');
    expect(receivedBy('again1@import.example')).toHaveLength(1);
  });

  it('sends nothing to users a rollback deleted before their email went out', async () => {
    await admin.token({ method: 'POST', url: '/api/v1/mail/pause' });
    let importId = 0;
    try {
      const done = await importUsers(
        [
          ['undone1@import.example', 'Undone', 'One'],
          ['undone2@import.example', 'Undone', 'Two'],
        ],
        { targetOptions: { sendInvites: true } },
      );
      importId = done.id;
      expect((await importEmails(done.id)).counts.queued).toBe(2);
      const rollback = await admin.token({ method: 'POST', url: `/api/v1/imports/${done.id}/rollback` });
      expect(rollback.statusCode, rollback.body).toBe(202);
      expect((await settled(admin, done.id)).rollback).toMatchObject({ deleted: 2 });
    } finally {
      await admin.token({ method: 'POST', url: '/api/v1/mail/resume' });
    }
    const emails = await until(
      'the emails of the deleted users settled',
      async () => (await get('/api/v1/mail')).json().counts,
      (counts) => counts.queued === 0 && counts.sending === 0,
    );
    expect(emails.queued).toBe(0);
    const failed = await importEmails(importId);
    expect(failed.counts).toEqual({ queued: 0, sending: 0, sent: 0, failed: 2 });
    expect(failed.items[0].lastError).toMatch(/user was deleted/);
    expect(receivedBy('undone1@import.example')).toHaveLength(0);
  });

  it('writes no token and no password to the log', async () => {
    const text = logLines.join('');
    expect(text).toContain('incoming request');
    expect(text).toContain('/activate?token=[redacted]');
    // And the worker met no unexpected error along the way.
    expect(text).not.toContain('"level":50');
    expect(secrets.size).toBeGreaterThan(8);
    for (const secret of secrets) expect(text.includes(secret), 'a secret in the log').toBe(false);
  });
});
