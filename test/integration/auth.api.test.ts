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

  it('locks an account after five failures, even with the right password, for known and unknown emails alike', async () => {
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
    const locked = await login('victim@admins.example', TEST_PASSWORD, '10.1.1.1');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('auth.too_many_attempts');
    expect(locked.headers['retry-after']).toBeDefined();
    const ghost = await login('ghost@admins.example', 'x', '10.2.1.1');
    expect(ghost.statusCode).toBe(429);
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
