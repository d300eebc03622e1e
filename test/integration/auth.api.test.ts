import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../src/app/admins.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { ERROR_CATALOGUE } from '../../src/core/errors.js';
import { startApi, TEST_PASSWORD, type TestApi } from '../support/api.js';

let api: TestApi;

beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const login = (email: string, password: string, remoteAddress = '127.0.0.1') =>
  api.request({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });

describe(`sign-in and sessions on ${process.env.ROSTER_TEST_DB}`, () => {
  it('sets an httpOnly SameSite=Lax session cookie and returns the CSRF token', async () => {
    await createAdmin(api.db.ctx, SYSTEM_ACTOR, {
      email: 'cookie@admins.example',
      name: 'Cookie',
      role: 'viewer',
      password: TEST_PASSWORD,
    });
    const res = await login('COOKIE@admins.example', TEST_PASSWORD);
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'roster_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.secure).toBeFalsy();
    expect(res.json().csrfToken).toMatch(/^[\w-]{20,}$/);
    const me = await api.request({
      method: 'GET',
      url: '/api/v1/auth/me',
      cookies: { roster_session: cookie.value },
    });
    expect(me.json()).toMatchObject({
      via: 'session',
      admin: { email: 'cookie@admins.example', role: 'viewer' },
    });
    expect(me.json().permissions).toEqual(['directory.read', 'settings.read', 'imports.read']);
  });

  it('answers alike for an unknown email and a wrong password', async () => {
    await createAdmin(api.db.ctx, SYSTEM_ACTOR, {
      email: 'known@admins.example',
      name: 'Known',
      role: 'viewer',
      password: TEST_PASSWORD,
    });
    const unknown = await login('nobody@admins.example', 'whatever-password', '10.0.0.1');
    const wrong = await login('known@admins.example', 'whatever-password', '10.0.0.2');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
    expect(unknown.cookies).toHaveLength(0);
  });

  it('delays an account after five failures instead of locking it, and lets the right password in once the delay has passed', async () => {
    await createAdmin(api.db.ctx, SYSTEM_ACTOR, {
      email: 'victim@admins.example',
      name: 'Victim',
      role: 'viewer',
      password: TEST_PASSWORD,
    });
    for (let i = 0; i < 5; i++) {
      expect((await login('victim@admins.example', `wrong-${i}`, `10.1.0.${i}`)).statusCode).toBe(401);
      expect((await login('ghost@admins.example', `wrong-${i}`, `10.2.0.${i}`)).statusCode).toBe(401);
    }
    const waiting = await login('victim@admins.example', TEST_PASSWORD, '10.1.1.1');
    expect(waiting.statusCode).toBe(429);
    expect(waiting.json().code).toBe('auth.too_many_attempts');
    expect(waiting.json().message).toMatch(/Wait \d+ seconds before trying again/);
    const retryAfter = Number(waiting.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect((await login('ghost@admins.example', 'x', '10.2.1.1')).statusCode).toBe(429);

    const realNow = api.db.ctx.now;
    try {
      // Once the wait is over, the right password works, and a success forgets the failures.
      api.db.ctx.now = () => new Date(Date.now() + (retryAfter + 1) * 1000);
      expect((await login('victim@admins.example', TEST_PASSWORD, '10.1.1.2')).statusCode).toBe(200);
      for (let i = 0; i < 5; i++) {
        expect((await login('victim@admins.example', `again-${i}`, '10.1.1.3')).statusCode).toBe(401);
      }
      // A wrong password after the wait opens a longer one: 60 seconds after the 30.
      api.db.ctx.now = () => new Date(Date.now() + (retryAfter + 1) * 1000);
      expect((await login('ghost@admins.example', 'still wrong', '10.2.1.2')).statusCode).toBe(401);
      const longer = await login('ghost@admins.example', 'x', '10.2.1.3');
      expect(longer.statusCode).toBe(429);
      expect(Number(longer.headers['retry-after'])).toBeGreaterThan(30);
      expect(Number(longer.headers['retry-after'])).toBeLessThanOrEqual(60);
    } finally {
      api.db.ctx.now = realNow;
    }
  });

  it('holds the account limit against 50 parallel wrong passwords: exactly five are checked, the rest get 429', async () => {
    await createAdmin(api.db.ctx, SYSTEM_ACTOR, {
      email: 'parallel@admins.example',
      name: 'Parallel',
      role: 'viewer',
      password: TEST_PASSWORD,
    });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => login('parallel@admins.example', `wrong-${i}`, '10.5.0.1')),
    );
    const statuses = answers.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(45);
    expect(answers.find((r) => r.statusCode === 429)!.headers['retry-after']).toBeDefined();
  });

  it('does not count successful sign-ins against their address', async () => {
    const email = 'often@admins.example';
    await createAdmin(api.db.ctx, SYSTEM_ACTOR, {
      email,
      name: 'Often',
      role: 'viewer',
      password: TEST_PASSWORD,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) statuses.push((await login(email, TEST_PASSWORD, '10.6.0.1')).statusCode);
    expect(new Set(statuses)).toEqual(new Set([200]));
  });

  it('throttles one address trying many accounts', async () => {
    let last = 0;
    for (let i = 0; i < 31; i++) last = (await login(`spray${i}@admins.example`, 'x', '10.9.9.9')).statusCode;
    expect(last).toBe(429);
  });

  it('needs the CSRF token for cookie-authenticated changes, not for reads or bearer tokens', async () => {
    const caller = await api.caller('administrator');
    const loginRes = await login(caller.email, TEST_PASSWORD, '10.3.0.1');
    const cookie = loginRes.cookies.find((c) => c.name === 'roster_session')!.value;
    const bare = await api.request({
      method: 'POST',
      url: '/api/v1/roles',
      cookies: { roster_session: cookie },
      payload: { name: 'NoCsrf' },
    });
    expect(bare.statusCode).toBe(403);
    expect(bare.json().code).toBe('auth.csrf_token_invalid');
    const wrong = await api.request({
      method: 'POST',
      url: '/api/v1/roles',
      cookies: { roster_session: cookie },
      headers: { 'x-csrf-token': 'forged' },
      payload: { name: 'NoCsrf' },
    });
    expect(wrong.statusCode).toBe(403);
    const roles = await caller.token({ method: 'GET', url: '/api/v1/roles' });
    expect(roles.json().map((r: { name: string }) => r.name)).not.toContain('NoCsrf');
    expect(
      (await caller.token({ method: 'POST', url: '/api/v1/roles', payload: { name: 'ViaToken' } }))
        .statusCode,
    ).toBe(201);
  });

  it('ends the session on logout', async () => {
    const caller = await api.caller('viewer');
    const res = await login(caller.email, TEST_PASSWORD, '10.4.0.1');
    const cookie = res.cookies.find((c) => c.name === 'roster_session')!.value;
    const csrf = res.json().csrfToken;
    const out = await api.request({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies: { roster_session: cookie },
      headers: { 'x-csrf-token': csrf },
    });
    expect(out.statusCode).toBe(200);
    const me = await api.request({
      method: 'GET',
      url: '/api/v1/auth/me',
      cookies: { roster_session: cookie },
    });
    expect(me.statusCode).toBe(401);
  });

  it('rejects a malformed or unknown bearer token with 401', async () => {
    for (const header of ['Bearer rst_nope', 'Bearer', 'Basic abc']) {
      const res = await api.request({
        method: 'GET',
        url: '/api/v1/users',
        headers: { authorization: header },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('auth.unauthenticated');
    }
  });

  it('stores API tokens and sessions only as hashes', async () => {
    const caller = await api.caller('viewer');
    const tokens = await api.db.ctx.db.selectFrom('api_tokens').select(['token_hash']).execute();
    expect(tokens.every((t) => !t.token_hash.startsWith('rst_'))).toBe(true);
    expect(tokens.map((t) => t.token_hash)).not.toContain(caller.tokenSecret);
    const sessions = await api.db.ctx.db.selectFrom('admin_sessions').select(['token_hash']).execute();
    expect(sessions.every((s) => /^[0-9a-f]{64}$/.test(s.token_hash))).toBe(true);
    const admins = await api.db.ctx.db.selectFrom('admins').select(['password_hash']).execute();
    expect(admins.every((a) => a.password_hash.startsWith('$argon2id$'))).toBe(true);
  });

  it('shows a new token once and lists it afterwards without its secret', async () => {
    const caller = await api.caller('administrator');
    const created = await caller.token({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'script' },
    });
    expect(created.statusCode).toBe(201);
    const { secret, token } = created.json();
    expect(secret).toMatch(/^rst_/);
    const listed = await caller.token({ method: 'GET', url: '/api/v1/tokens' });
    expect(listed.body).not.toContain(secret);
    expect(listed.json().find((t: { id: number }) => t.id === token.id)).toMatchObject({ name: 'script' });
    const use = await api.request({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(use.json()).toMatchObject({ via: 'token', csrfToken: null });
  });
});

describe('service endpoints', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await api.request({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await api.request({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ status: 'ready' });
  });

  it('documents every /api/v1 route in the OpenAPI document, with its schemas', async () => {
    const doc = (await api.request({ method: 'GET', url: '/api/openapi.json' })).json();
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(
      doc.paths as Record<string, Record<string, { responses: object }>>,
    )) {
      for (const [method, op] of Object.entries(ops)) {
        documented.add(`${method.toUpperCase()} ${path}`);
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    const registered = api.app.apiRoutes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(registered.length).toBeGreaterThan(40);
    expect([...documented].sort()).toEqual([...registered].sort());
    const docs = await api.request({ method: 'GET', url: '/api/docs' });
    expect([200, 302]).toContain(docs.statusCode);
  });

  it('lists every error code in the OpenAPI document, with its status and message', async () => {
    const doc = (await api.request({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc['x-error-codes']).toEqual(ERROR_CATALOGUE);
    const error = doc.components.schemas.Error;
    expect(error.properties.code.enum).toEqual(Object.keys(ERROR_CATALOGUE));
    expect(error.properties.details.properties.problems.items).toMatchObject({
      $ref: '#/components/schemas/FieldProblem',
    });
    expect(Object.keys(doc.components.schemas.FieldProblem.properties).sort()).toEqual([
      'code',
      'field',
      'message',
    ]);
  });
});
