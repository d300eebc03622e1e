import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../support/axe.js';
import {
  type ApiCall,
  apiSession,
  type ConsoleServer,
  DESKTOP,
  launchBrowser,
  PHONE,
  resize,
  settle,
  shot,
  signIn,
  startConsoleServer,
} from '../support/browser.js';

/**
 * Bulk actions on the users list: tick the page, select every matching user, disable them from the
 * Actions menu after a confirmation that says how many, follow the progress, and see them disabled.
 */
const ADMIN = { email: 'admin@bulk.example', password: 'bulk-e2e-password-1' };
const COUNT = 30;

let server: ConsoleServer;
let browser: Browser;
let api: ApiCall;

beforeAll(async () => {
  server = await startConsoleServer(ADMIN);
  api = await apiSession(server.url, ADMIN);
  const acme = (await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Acme Logistics' })).id;
  for (let i = 0; i < COUNT; i++) {
    await api('POST', '/api/v1/users', {
      email: `crew${String(i).padStart(2, '0')}@bulkcrew.example`,
      firstName: 'Crew',
      lastName: `Member ${i}`,
      customerId: acme,
    });
  }
  await api('POST', '/api/v1/users', {
    email: 'other@elsewhere.example',
    firstName: 'Other',
    customerId: acme,
  });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

async function audit(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const size of [DESKTOP, PHONE]) {
    await resize(page, size);
    found.push(...(await seriousViolations(page)).map((v) => `${size.width}: ${v}`));
  }
  await resize(page, DESKTOP);
  return found;
}

describe('bulk actions on the users list', () => {
  it('selects all matching users and disables them', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce', bypassCSP: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server.url, ADMIN);
    await page.goto(`${server.url}/users?q=bulkcrew`);
    await expect.poll(() => page.getByTestId('users-total').textContent()).toBe(`${COUNT} users`);

    await page.getByRole('checkbox', { name: 'Select every user on this page' }).check();
    await page.getByRole('button', { name: `Select all ${COUNT} matching users` }).click();
    await expect
      .poll(() => page.getByTestId('select-all-matching').textContent())
      .toContain(`All ${COUNT} matching users are selected`);
    expect(await audit(page)).toEqual([]);
    await shot(page, 'users-bulk-selected');
    await resize(page, PHONE);
    await shot(page, 'users-bulk-selected');
    await resize(page, DESKTOP);

    await page.getByTestId('users-actions').click();
    await page.getByRole('menuitem', { name: 'Disable' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain(`${COUNT} users`);
    await settle(page);
    await shot(page, 'users-bulk-confirm');
    await dialog.getByRole('button', { name: `Disable ${COUNT} users` }).click();
    await expect
      .poll(() => dialog.getByTestId('bulk-result').textContent(), { timeout: 30_000 })
      .toContain(`${COUNT} changed`);
    expect(await audit(page)).toEqual([]);
    await shot(page, 'users-bulk-result');
    await resize(page, PHONE);
    await shot(page, 'users-bulk-result');
    await resize(page, DESKTOP);
    await dialog.getByRole('button', { name: 'Done' }).click();

    // The list refreshes: every user shown is disabled; the user outside the search is not.
    const statuses = () =>
      page.getByTestId('users-table').locator('tbody tr td:last-child').allTextContents();
    await expect.poll(async () => [...new Set(await statuses())]).toEqual(['disabled']);
    const other = await api<{ items: { status: string }[] }>('GET', '/api/v1/users?q=elsewhere');
    expect(other.items.map((u) => u.status)).toEqual(['pending']);
    await shot(page, 'users-bulk-done');
    await resize(page, PHONE);
    await shot(page, 'users-bulk-done');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('on a phone, selects two cards and enables those two users', async () => {
    const context = await browser.newContext({ viewport: PHONE, reducedMotion: 'reduce', bypassCSP: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server.url, ADMIN);
    await page.goto(`${server.url}/users?q=bulkcrew&sort=email&order=asc`);
    const cards = page.getByTestId('users-cards');
    await expect.poll(() => cards.locator('li').count()).toBeGreaterThan(2);
    const names = await cards.locator('li a').allTextContents();
    await page.getByRole('checkbox', { name: `Select ${names[0]}`, exact: true }).check();
    await page.getByRole('checkbox', { name: `Select ${names[1]}`, exact: true }).check();
    await expect.poll(() => page.getByTestId('users-actions').textContent()).toBe('Actions (2)');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'users-bulk-phone-selected');

    await page.getByTestId('users-actions').click();
    await page.getByRole('menuitem', { name: 'Enable' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Enable 2 users' }).click();
    await expect
      .poll(() => dialog.getByTestId('bulk-result').textContent(), { timeout: 30_000 })
      .toContain('2 changed');
    await settle(page);
    await shot(page, 'users-bulk-phone-result');
    await dialog.getByRole('button', { name: 'Done' }).click();
    const users = await api<{ items: { email: string; status: string }[] }>(
      'GET',
      '/api/v1/users?q=bulkcrew&sort=email&order=asc&limit=100',
    );
    const enabled = users.items.filter((u) => u.status !== 'disabled');
    expect(enabled).toHaveLength(2);
    await expect.poll(() => page.getByTestId('users-actions').textContent()).toBe('Actions');
    expect(errors).toEqual([]);
    await context.close();
  });
});
