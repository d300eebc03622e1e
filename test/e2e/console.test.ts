import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../support/cli.js';

/**
 * The admin console in a real browser: the built console (dist/web, built by scripts/test.mjs) served
 * by `roster serve` on a fresh SQLite database, driven with the machine's Debian chromium.
 */
const root = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SHOTS = path.join(root, 'test-output/screenshots');
const ADMIN = { email: 'admin@console.example', password: 'console-e2e-password-1' };

let server: { url: string; child: ChildProcess; output: () => string };
let browser: Browser;
let dataDir: string;

/** Calls the API as the admin, with the session cookie and CSRF token of a sign-in. */
async function apiSession(url: string) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  expect(res.status).toBe(200);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return async (method: string, route: string, body?: unknown) => {
    const r = await fetch(`${url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await r.json()) as Record<string, unknown>;
    if (!r.ok) throw new Error(`${method} ${route}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing. Install it with: apt-get install -y --no-install-recommends chromium`,
    );
  }
  if (!fs.existsSync(path.join(root, 'dist/web/index.html'))) {
    throw new Error('The admin console is not built. Run: npm run build:web');
  }
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-e2e-'));
  server = await serve({
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    RUN_JOBS: 'false',
    ROSTER_ADMIN_EMAIL: ADMIN.email,
    ROSTER_ADMIN_PASSWORD: ADMIN.password,
  });
  const api = await apiSession(server.url);
  const acme = await api('POST', '/api/v1/customers', { name: 'Acme Logistics' });
  const globex = await api('POST', '/api/v1/customers', { name: 'Globex Retail' });
  const role = await api('POST', '/api/v1/roles', { name: 'Dispatcher' });
  const people: [string, string, number, string][] = [
    ['Ada', 'Lovelace', acme.id as number, 'active'],
    ['Grace', 'Hopper', acme.id as number, 'pending'],
    ['Alan', 'Turing', globex.id as number, 'active'],
    ['Edsger', 'Dijkstra', globex.id as number, 'disabled'],
    ['Barbara', 'Liskov', acme.id as number, 'pending'],
  ];
  for (const [firstName, lastName, customerId, status] of people) {
    await api('POST', '/api/v1/users', {
      email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}@example.com`,
      firstName,
      lastName,
      customerId,
      status,
      roleIds: firstName === 'Ada' || firstName === 'Alan' ? [role.id as number] : [],
    });
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  fs.mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.child.kill();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('admin console', () => {
  it('keeps the API JSON: unknown /api addresses are JSON 404s, browsers get the console at any page address', async () => {
    const missing = await fetch(`${server.url}/api/v1/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('route.not_found');
    const html = { accept: 'text/html,application/xhtml+xml' };
    const deep = await fetch(`${server.url}/users?page=2`, { headers: html });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="root">');
    expect((await fetch(`${server.url}/api/v1/nope`, { headers: html })).status).toBe(404);
    expect((await fetch(`${server.url}/assets/missing.js`, { headers: html })).status).toBe(404);
    expect((await fetch(`${server.url}/users`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/docs`)).status).toBe(200);
  });

  it('signs in, lists, searches and filters users, on a desktop and a phone screen', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/users`);
    await page.waitForURL('**/login');

    // A wrong password says so plainly.
    await page.getByRole('textbox', { name: 'Email' }).fill(ADMIN.email);
    await page.getByRole('textbox', { name: 'Password' }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('email or password is wrong');
    await page.screenshot({ path: path.join(SHOTS, 'login-error-1280x800.png') });

    await page.getByRole('textbox', { name: 'Password' }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/users');
    const rows = page.getByTestId('users-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(5);
    expect(await page.getByTestId('users-total').textContent()).toBe('5 users');
    const table = (await page.getByTestId('users-table').textContent()) ?? '';
    for (const text of [
      'ada.lovelace@example.com',
      'Acme Logistics',
      'Globex Retail',
      'Dispatcher',
      'disabled',
    ]) {
      expect(table).toContain(text);
    }
    expect(await page.getByTestId('admin-name').textContent()).toBeTruthy();
    expect(await page.getByTestId('admin-role').textContent()).toBe('Administrator');
    await page.screenshot({ path: path.join(SHOTS, 'users-1280x800.png') });

    await page.getByRole('textbox', { name: 'Search' }).fill('turing');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('alan.turing@example.com');
    await page.screenshot({ path: path.join(SHOTS, 'users-search-1280x800.png') });

    await page.getByRole('textbox', { name: 'Search' }).fill('');
    await page.getByPlaceholder('Any status').click();
    await page.getByRole('option', { name: 'Active' }).click();
    await expect.poll(() => rows.count()).toBe(2);

    // The same session on a phone screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await expect.poll(() => rows.count()).toBe(5);
    await page.screenshot({ path: path.join(SHOTS, 'users-390x844.png') });

    // Sign-out ends the session: the console is back at the sign-in page, and /me answers 401.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    expect(await page.evaluate(async () => (await fetch('/api/v1/auth/me')).status)).toBe(401);
    expect(errors).toEqual([]);
    await context.close();
  });
});
