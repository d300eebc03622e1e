import fs from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../src/app/admins.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { CONSOLE_DIR } from '../../src/http/server.js';
import { type Caller, startApi, TEST_PASSWORD, type TestApi } from '../support/api.js';

/**
 * Security headers on every kind of answer, and the Origin check on changes and sign-ins. The
 * server's PUBLIC_URL is https://roster.example, so HSTS is on here.
 */
const PUBLIC_URL = 'https://roster.example';
let api: TestApi;
let admin: Caller;

beforeAll(async () => {
  api = await startApi({ env: { PUBLIC_URL } });
  admin = await api.caller('administrator');
});
afterAll(() => api.close());

function expectSecurityHeaders(res: LightMyRequestResponse, what: string) {
  const csp = String(res.headers['content-security-policy']);
  expect(csp, what).toContain("default-src 'self'");
  expect(csp, what).toContain("script-src 'self'");
  expect(csp, what).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(res.headers['x-frame-options'], what).toBe('DENY');
  expect(res.headers['x-content-type-options'], what).toBe('nosniff');
  expect(res.headers['referrer-policy'], what).toBeDefined();
  expect(res.headers['strict-transport-security'], what).toBe('max-age=31536000');
}

describe(`security headers on ${process.env.ROSTER_TEST_DB}`, () => {
  it('sends them with the console, the portal pages, API answers and errors', async () => {
    expect(fs.existsSync(path.join(CONSOLE_DIR, 'index.html')), 'the console is built').toBe(true);
    const answers: [string, LightMyRequestResponse][] = [
      ['console', await api.request({ method: 'GET', url: '/', headers: { accept: 'text/html' } })],
      ['console page', await api.request({ method: 'GET', url: '/users', headers: { accept: 'text/html' } })],
      [
        'portal sign-in page',
        await api.request({ method: 'GET', url: '/portal/login', headers: { accept: 'text/html' } }),
      ],
      ['activation page', await api.request({ method: 'GET', url: '/activate?token=x' })],
      ['theme script', await api.request({ method: 'GET', url: '/theme.js' })],
      ['API answer', await admin.token({ method: 'GET', url: '/api/v1/users' })],
      ['API error', await api.request({ method: 'GET', url: '/api/v1/users' })],
      ['unknown route', await api.request({ method: 'GET', url: '/api/v1/nothing-here' })],
      ['health', await api.request({ method: 'GET', url: '/healthz' })],
    ];
    for (const [what, res] of answers) {
      expect(res.statusCode, what).toBeLessThan(500);
      expectSecurityHeaders(res, what);
    }
    expect(answers[0]![1].statusCode).toBe(200);
    expect(answers[0]![1].body).not.toMatch(/<script>/);
    expect(answers[0]![1].body).toContain('<script src="/theme.js"></script>');
    expect(answers[3]![1].headers['referrer-policy']).toBe('no-referrer');
  });

  it('keeps Swagger UI working at /api/docs, with a policy of its own', async () => {
    const page = await api.request({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expectSecurityHeaders(page, 'docs');
    // Every script of the page is a file of its own (no inline script), which the policy allows.
    expect(page.body).not.toMatch(/<script>|<script [^>]*>[^<\s]/);
    for (const src of [...page.body.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!)) {
      const url = new URL(src, 'http://x/api/docs/').pathname;
      expect((await api.request({ method: 'GET', url })).statusCode, url).toBe(200);
    }
    expect(String(page.headers['content-security-policy'])).toContain('https://validator.swagger.io');
  });
});

describe(`the Origin check on ${process.env.ROSTER_TEST_DB}`, () => {
  const signIn = (origin?: string, host?: string) =>
    api.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: admin.email, password: TEST_PASSWORD },
      headers: { ...(origin && { origin }), ...(host && { host }) },
      remoteAddress: '10.40.0.1',
    });

  it('refuses a sign-in from a foreign page with 403, and takes one from PUBLIC_URL, the own host or without Origin', async () => {
    const foreign = await signIn('https://evil.example');
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('auth.origin_forbidden');
    expect(foreign.json().message).toMatch(/not Roster \(https:\/\/roster\.example\)/);
    expect(foreign.cookies).toHaveLength(0);
    expect((await signIn('null')).statusCode).toBe(403);
    expect((await signIn(PUBLIC_URL)).statusCode).toBe(200);
    expect((await signIn('http://10.0.0.7:3000', '10.0.0.7:3000')).statusCode).toBe(200);
    expect((await signIn('http://10.0.0.7:3001', '10.0.0.7:3000')).statusCode).toBe(403);
    expect((await signIn()).statusCode).toBe(200);
  });

  it('refuses a portal sign-in from a foreign page', async () => {
    const res = await api.request({
      method: 'POST',
      url: '/api/v1/portal/login',
      payload: { login: 'someone@mail.example', password: 'whatever password' },
      headers: { origin: 'https://evil.example' },
      remoteAddress: '10.40.0.2',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('auth.origin_forbidden');
  });

  it('refuses cookie-authenticated changes from a foreign page, even with the CSRF token; not reads, nor API tokens', async () => {
    const name = 'Origin test role';
    const foreign = await admin.cookie({
      method: 'POST',
      url: '/api/v1/roles',
      payload: { name },
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('auth.origin_forbidden');
    const roles = await admin.token({ method: 'GET', url: '/api/v1/roles' });
    expect(roles.json().map((r: { name: string }) => r.name)).not.toContain(name);

    const read = await admin.cookie({
      method: 'GET',
      url: '/api/v1/roles',
      headers: { origin: 'https://evil.example' },
    });
    expect(read.statusCode).toBe(200);
    const own = await admin.cookie({
      method: 'POST',
      url: '/api/v1/roles',
      payload: { name },
      headers: { origin: PUBLIC_URL },
    });
    expect(own.statusCode).toBe(201);
    const byToken = await admin.token({
      method: 'POST',
      url: '/api/v1/roles',
      payload: { name: `${name} 2` },
      headers: { origin: 'https://evil.example' },
    });
    expect(byToken.statusCode).toBe(201);
  });

  it('still signs in a new admin created meanwhile (the check does not touch the throttle)', async () => {
    await createAdmin(api.db.ctx, SYSTEM_ACTOR, {
      email: 'origin@admins.example',
      name: 'Origin',
      role: 'viewer',
      password: TEST_PASSWORD,
    });
    for (let i = 0; i < 6; i++) {
      const res = await api.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'origin@admins.example', password: 'wrong' },
        headers: { origin: 'https://evil.example' },
      });
      expect(res.statusCode).toBe(403);
    }
    const res = await api.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'origin@admins.example', password: TEST_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
  });
});
