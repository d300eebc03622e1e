import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiSession,
  type ConsoleServer,
  launchBrowser,
  openPage,
  PHONE,
  shot,
  startConsoleServer,
} from '../support/browser.js';

/** The console's frame in a real browser: sign-in, the users page, sign-out, both screen sizes. */
const ADMIN = { email: 'admin@console.example', password: 'console-e2e-password-1' };

let server: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  server = await startConsoleServer(ADMIN, { RUN_JOBS: 'false' });
  const api = await apiSession(server.url, ADMIN);
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
    // A user is created pending or active, and disabled afterwards (the disable action).
    const user = await api('POST', '/api/v1/users', {
      email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}@example.com`,
      firstName,
      lastName,
      customerId,
      status: status === 'disabled' ? 'active' : status,
      roleIds: firstName === 'Ada' || firstName === 'Alan' ? [role.id as number] : [],
    });
    if (status === 'disabled') await api('PATCH', `/api/v1/users/${user.id}`, { status });
  }
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
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

  it('sends the console’s scripts compressed and cacheable for good, and its page never stale', async () => {
    for (const encoding of ['br', 'gzip', 'identity']) {
      const page = await fetch(`${server.url}/`, {
        headers: { accept: 'text/html', 'accept-encoding': encoding },
      });
      expect(page.status, encoding).toBe(200);
      expect(page.headers.get('cache-control')).not.toContain('immutable');
    }
    const html = await (await fetch(`${server.url}/`, { headers: { accept: 'text/html' } })).text();
    const script = /<script type="module"[^>]* src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeTruthy();
    const plain = await fetch(`${server.url}${script}`, { headers: { 'accept-encoding': 'identity' } });
    const raw = Buffer.from(await plain.arrayBuffer()).length;
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    for (const encoding of ['br', 'gzip']) {
      // undici decodes the body but keeps the header: the size is checked against the file itself.
      const res = await fetch(`${server.url}${script}`, { headers: { 'accept-encoding': encoding } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe(encoding);
      expect(res.headers.get('content-type')).toContain('javascript');
      expect(Buffer.from(await res.arrayBuffer()).length).toBe(raw);
    }
  });

  it('signs in, lists, searches and filters users, on a desktop and a phone screen', async () => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(`${server.url}/users`);
    await page.waitForURL('**/login**');

    // A wrong password says so plainly.
    await page.getByRole('textbox', { name: 'Email' }).fill(ADMIN.email);
    await page.getByRole('textbox', { name: 'Password' }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('email or password is wrong');
    await shot(page, 'login-error');

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
    // Dark mode is one click away and is remembered.
    await page.getByRole('button', { name: 'Switch to dark mode' }).click();
    const scheme = () => page.locator('html').getAttribute('data-mantine-color-scheme');
    await expect.poll(scheme).toBe('dark');
    await shot(page, 'users-dark');
    await page.reload();
    await expect.poll(() => rows.count()).toBe(5);
    expect(await scheme()).toBe('dark');
    await page.getByRole('button', { name: 'Switch to light mode' }).click();
    await expect.poll(scheme).toBe('light');

    await shot(page, 'users');

    await page.getByRole('textbox', { name: 'Search' }).fill('turing');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('alan.turing@example.com');
    await shot(page, 'users-search');

    await page.getByRole('textbox', { name: 'Search' }).fill('');
    await page.getByPlaceholder('Any status').click();
    await page.getByRole('option', { name: 'Active' }).click();
    await expect.poll(() => rows.count()).toBe(2);

    // The filter is in the address: a reload keeps it.
    await expect.poll(() => page.url()).toContain('status=active');
    await page.reload();
    await expect.poll(() => rows.count()).toBe(2);

    // The same session on a phone screen.
    await page.setViewportSize(PHONE);
    await page.goto(`${server.url}/users`);
    // On a phone the users are cards, not table rows.
    await expect.poll(() => page.getByTestId('users-cards').locator(':scope > li').count()).toBe(5);
    await shot(page, 'users');

    // Sign-out ends the session: the console is back at the sign-in page, and /me answers 401.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    expect(await page.evaluate(async () => (await fetch('/api/v1/auth/me')).status)).toBe(401);
    expect(errors).toEqual([]);
    await context.close();
  });
});
