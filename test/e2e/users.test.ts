import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiCall,
  apiSession,
  type ConsoleServer,
  launchBrowser,
  openPage,
  PHONE,
  settle,
  shot,
  signIn,
  startConsoleServer,
} from '../support/browser.js';
import { importCsv, toastsGone } from '../support/e2e-api.js';

/**
 * The users pages in a real browser: the list's sorting and filters kept in the address, a user's
 * page (edit, disable, invitations, emails, history), creating a user by hand with the API's field
 * errors, a customer-scoped admin's view, and the notification bell after an import.
 */
const ADMIN = { email: 'admin@users.example', password: 'users-e2e-password-1' };
const SCOPED = { email: 'scoped@users.example', password: 'scoped-e2e-password-2' };

let server: ConsoleServer;
let browser: Browser;
let api: ApiCall;
let acme: number;
let globex: number;
let globexUserId: number;

const rows = (page: Page) => page.getByTestId('users-table').locator('tbody tr');
const emailsInTable = (page: Page) =>
  rows(page).evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td')[2]?.textContent ?? ''));

/** Chooses an option of a Mantine Select or MultiSelect by its label. */
async function choose(page: Page, label: string, option: string) {
  await page.getByRole('combobox', { name: new RegExp(`^${label}`) }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** Lets the popover's fade-in end before a screenshot. */
const settled = (page: Page) => settle(page);

beforeAll(async () => {
  server = await startConsoleServer(ADMIN);
  api = await apiSession(server.url, ADMIN);
  acme = (await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Acme Logistics' })).id;
  globex = (await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Globex Retail' })).id;
  const dispatcher = await api<{ id: number }>('POST', '/api/v1/roles', { name: 'Dispatcher' });
  await api('POST', '/api/v1/roles', { name: 'Planner' });
  await api('POST', '/api/v1/groups', { name: 'Field team' });
  await api('POST', '/api/v1/attributes', { key: 'cost_center', label: 'Cost center', type: 'text' });
  const people: [string, string, number, string][] = [
    ['Ada', 'Lovelace', acme, 'active'],
    ['Grace', 'Hopper', acme, 'pending'],
    ['Barbara', 'Liskov', acme, 'pending'],
    ['Alan', 'Turing', globex, 'active'],
    ['Edsger', 'Dijkstra', globex, 'disabled'],
  ];
  for (const [firstName, lastName, customerId, status] of people) {
    const user = await api<{ id: number }>('POST', '/api/v1/users', {
      email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}@example.com`,
      firstName,
      lastName,
      customerId,
      // A user is created pending or active, and disabled afterwards (the disable action).
      status: status === 'disabled' ? 'active' : status,
      roleIds: firstName === 'Ada' || firstName === 'Alan' ? [dispatcher.id] : [],
    });
    if (status === 'disabled') await api('PATCH', `/api/v1/users/${user.id}`, { status });
    if (firstName === 'Alan') globexUserId = user.id;
  }
  await api('POST', '/api/v1/admins', {
    email: SCOPED.email,
    name: 'Acme user admin',
    role: 'user_admin',
    customerId: acme,
    password: SCOPED.password,
  });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

describe('users pages', () => {
  it('creates a user by hand (a field error from the API shown next to its field first), edits and disables them', async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, ADMIN);
    await page.getByRole('link', { name: 'New user' }).click();
    await page.waitForURL('**/users/new');
    await expect.poll(() => page.getByRole('textbox', { name: 'Cost center' }).count()).toBe(1);
    await shot(page, 'user-new');

    // An email that is taken: the API's message appears under the email field.
    await page.getByRole('textbox', { name: 'Access email' }).fill('ADA.lovelace@example.com');
    await page.getByRole('textbox', { name: 'First name' }).fill('Katherine');
    await page.getByRole('textbox', { name: 'Last name' }).fill('Johnson');
    await choose(page, 'Customer', 'Acme Logistics');
    await page.getByRole('button', { name: 'Create user' }).click();
    const email = page.getByRole('textbox', { name: 'Access email' });
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    // The message is the field's own error (Mantine ties it to the input with aria-describedby).
    const errorId = ((await email.getAttribute('aria-describedby')) ?? '')
      .split(' ')
      .find((id) => id.endsWith('-error'));
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toContain(
      'exists (emails are compared ignoring case)',
    );
    expect(page.url()).toContain('/users/new');
    await shot(page, 'user-new-error');

    await email.fill('katherine.johnson@example.com');
    await page.getByRole('textbox', { name: 'Employee number' }).fill('007');
    await page.getByRole('textbox', { name: 'Cost center' }).fill('CC-42');
    await choose(page, 'Portal roles', 'Planner');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.waitForURL(/\/users\/\d+$/);
    await expect.poll(() => page.getByTestId('user-name').textContent()).toBe('Katherine Johnson');
    expect(await page.getByTestId('user-status').textContent()).toBe('pending');
    expect(await page.getByRole('textbox', { name: 'Employee number' }).inputValue()).toBe('007');
    expect(await page.getByRole('textbox', { name: 'Cost center' }).inputValue()).toBe('CC-42');
    await toastsGone(page);
    await shot(page, 'user');

    // Edit: the change is saved and is still there after a reload.
    await page.getByRole('textbox', { name: 'Last name' }).fill('Coleman Johnson');
    await page.getByRole('textbox', { name: 'Display name' }).fill('Katherine Coleman Johnson');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.getByTestId('user-name').textContent()).toBe('Katherine Coleman Johnson');
    await toastsGone(page);
    await page.reload();
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Last name' }).inputValue())
      .toBe('Coleman Johnson');

    // Disable, after a confirmation that says what it does; then enable again.
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await expect.poll(() => page.getByRole('dialog').textContent()).toContain('can no longer sign in');
    await page.getByRole('button', { name: 'Disable user' }).click();
    await expect.poll(() => page.getByTestId('user-status').textContent()).toBe('disabled');
    await toastsGone(page);
    await page.getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => page.getByTestId('user-status').textContent()).toBe('pending');
    await toastsGone(page);

    // Sending the invitation from the page; it shows under Invitations and Emails.
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByRole('tab', { name: 'Invitations' }).click();
    await expect.poll(() => page.getByTestId('user-invitations').textContent()).toContain('Activation');
    await page.getByRole('tab', { name: 'Emails' }).click();
    await expect
      .poll(() => page.getByTestId('user-emails').textContent())
      .toContain('You are invited to Customer Portal');
    await toastsGone(page);
    await shot(page, 'user-emails');
    await page.getByRole('tab', { name: 'History' }).click();
    const history = page.getByTestId('user-history');
    await expect.poll(() => history.textContent()).toContain('Created');
    expect(await history.textContent()).toContain('Changed');
    expect(await history.textContent()).toContain('Invitation sent');
    await shot(page, 'user-history');

    await page.setViewportSize(PHONE);
    await page.getByRole('tab', { name: 'Details' }).click();
    await shot(page, 'user');
    await page.goto(`${server.url}/users/new`);
    await expect.poll(() => page.getByRole('textbox', { name: 'Cost center' }).count()).toBe(1);
    await shot(page, 'user-new');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('sorts and filters the users table, and a reload keeps the filters', async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, ADMIN);
    await expect.poll(() => rows(page).count()).toBeGreaterThanOrEqual(5);

    await page.getByRole('button', { name: 'Sort by access email' }).click();
    await expect.poll(() => page.url()).toContain('sort=email');
    await expect.poll(async () => (await emailsInTable(page))[0]).toBe('ada.lovelace@example.com');
    const ascending = await emailsInTable(page);
    expect(ascending).toEqual([...ascending].sort());
    await page.getByRole('button', { name: 'Sort by access email' }).click();
    await expect.poll(() => page.url()).toContain('order=desc');
    await expect.poll(async () => (await emailsInTable(page))[0]).toBe([...ascending].sort().reverse()[0]);
    expect(await page.getByRole('columnheader', { name: /access email/i }).getAttribute('aria-sort')).toBe(
      'descending',
    );

    await choose(page, 'Customer', 'Globex Retail');
    await expect.poll(() => rows(page).count()).toBe(2);
    await choose(page, 'Role', 'Dispatcher');
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(await rows(page).first().textContent()).toContain('alan.turing@example.com');
    expect(page.url()).toContain(`customerId=${globex}`);
    await shot(page, 'users-filtered');

    await page.reload();
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(await page.getByRole('combobox', { name: 'Customer' }).inputValue()).toBe('Globex Retail');
    expect(await page.getByRole('combobox', { name: 'Role' }).inputValue()).toBe('Dispatcher');
    expect(await page.getByRole('columnheader', { name: /access email/i }).getAttribute('aria-sort')).toBe(
      'descending',
    );

    // A link with the status filter and a search opens the same list.
    await page.goto(`${server.url}/users?status=pending&q=grace`);
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(await page.getByRole('textbox', { name: 'Search' }).inputValue()).toBe('grace');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => rows(page).count()).toBeGreaterThanOrEqual(5);

    await page.setViewportSize(PHONE);
    await page.goto(`${server.url}/users?customerId=${acme}`);
    // On a phone the users are cards, not table rows.
    await expect
      .poll(() => page.getByTestId('users-cards').locator(':scope > li').count())
      .toBeGreaterThanOrEqual(3);
    await shot(page, 'users-filtered');

    // Part of a name finds the user; the export holds what the list shows, as a users template.
    await page.goto(`${server.url}/users?q=uring`);
    await expect.poll(() => page.getByTestId('users-cards').locator(':scope > li').count()).toBe(1);
    await page.getByTestId('users-export').click();
    await expect.poll(() => page.getByRole('menuitem', { name: 'CSV file' }).isVisible()).toBe(true);
    await shot(page, 'users-export');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'CSV file' }).click(),
    ]);
    const file = await fs.promises.readFile((await download.path())!, 'utf8');
    const lines = file
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines.length).toBe(3);
    expect(lines[2]).toContain('alan.turing@example.com');
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows a customer-scoped user_admin only their customer's users, and another customer's user as not found", async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, SCOPED);
    await expect.poll(() => rows(page).count()).toBeGreaterThanOrEqual(3);
    const table = (await page.getByTestId('users-table').textContent()) ?? '';
    expect(table).toContain('Acme Logistics');
    expect(table).not.toContain('Globex Retail');
    expect(table).not.toContain('alan.turing@example.com');
    expect(await page.getByTestId('admin-role').textContent()).toBe('User admin · Acme Logistics');
    await shot(page, 'users-scoped');

    await page.goto(`${server.url}/users/${globexUserId}`);
    await expect.poll(() => page.getByRole('heading', { name: 'User not found' }).count()).toBe(1);
    expect(await page.getByRole('alert').textContent()).toContain('outside your scope');
    await shot(page, 'user-not-found');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('rings the bell when an import ends, and the notification opens the import', async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, ADMIN);
    const bell = page.getByRole('button', { name: /^Notifications/ });
    expect(await bell.getAttribute('aria-label')).toBe('Notifications');

    const done = await importCsv(
      server.url,
      ADMIN,
      api,
      'Email,First name,Last name\nmary.jackson@example.com,Mary,Jackson\ndorothy.vaughan@example.com,Dorothy,Vaughan\n',
      { customerId: acme },
    );
    expect(done.status).toBe('completed');
    // The bell polls: the unread count appears without a reload.
    await expect
      .poll(() => bell.getAttribute('aria-label'), { timeout: 30_000 })
      .toBe('Notifications, 1 unread');
    expect(await page.getByTestId('bell-count').textContent()).toContain('1');
    await bell.click();
    const item = page.getByTestId('notification').first();
    await expect.poll(() => item.getAttribute('data-unread')).toBe('true');
    expect(await item.textContent()).toContain(`Import #${done.id}`);
    await settled(page);
    await shot(page, 'bell-open');
    await item.click();
    await page.waitForURL(`**/imports/${done.id}`);
    await expect.poll(() => bell.getAttribute('aria-label')).toBe('Notifications');

    // The import's users, as its results page links to them.
    await page.goto(`${server.url}/users?importId=${done.id}`);
    await expect.poll(() => rows(page).count()).toBe(2);
    expect(await page.getByTestId('import-filter').textContent()).toContain(`import #${done.id}`);

    await page.setViewportSize(PHONE);
    await bell.click();
    await expect.poll(() => page.getByTestId('notification').count()).toBe(1);
    await settled(page);
    await shot(page, 'bell-open');
    expect(errors).toEqual([]);
    await context.close();
  });
});
