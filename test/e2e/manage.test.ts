import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiCall,
  apiSession,
  type ConsoleServer,
  DESKTOP,
  launchBrowser,
  openPage,
  PHONE,
  resize,
  root,
  shot,
  signIn,
  startConsoleServer,
} from '../support/browser.js';

/**
 * The management pages in a real browser: customers and sites, contacts, portal roles, groups,
 * custom attributes, admins, API tokens, settings and the audit log; a viewer sees them read-only.
 */
const ADMIN = { email: 'admin@manage.example', password: 'manage-e2e-password-1' };
const VIEWER = { email: 'vera.viewer@manage.example', password: 'viewer-e2e-password-1' };

let server: ConsoleServer;
let browser: Browser;
let api: ApiCall;
let acmeId: number;

beforeAll(async () => {
  server = await startConsoleServer(ADMIN, { RUN_JOBS: 'false' });
  api = await apiSession(server.url, ADMIN);
  const acme = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Acme Logistics' });
  acmeId = acme.id;
  const initech = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Initech' });
  await api('POST', '/api/v1/users', {
    email: 'peter.gibbons@initech.example',
    firstName: 'Peter',
    lastName: 'Gibbons',
    customerId: initech.id,
  });
  await api('POST', '/api/v1/contacts', {
    customerId: acme.id,
    firstName: 'Olive',
    lastName: 'Oyl',
    email: 'olive@acme.example',
    externalId: 'CRM-0001',
  });
  browser = await launchBrowser();
}, 120_000);

/**
 * Every test's browser context, closed after it even when it failed: a page left open keeps its
 * connections to the server (live updates), and enough of them stall the next test's requests.
 */
const contexts: BrowserContext[] = [];
async function open(viewport = DESKTOP) {
  const opened = await openPage(browser, viewport);
  contexts.push(opened.context);
  return opened;
}

afterEach(async (test) => {
  for (const context of contexts.splice(0)) {
    if (test.task.result?.state === 'fail') {
      for (const [i, page] of context.pages().entries()) {
        await page.screenshot({
          path: path.join(
            root,
            `test-output/manage-failed-${test.task.name.slice(0, 30).replace(/\W+/g, '-')}-${i}.png`,
          ),
          fullPage: true,
        });
      }
    }
    await context.close();
  }
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

/**
 * Screenshots at both sizes, then back at the desktop size. Unless a dialog is the subject, a closing
 * one is waited for; passing notifications are left out, and the frame settles after each resize.
 */
async function shots(page: Page, name: string, subject: 'page' | 'dialog' = 'page'): Promise<void> {
  if (subject === 'page') await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
  const hidden = await page.addStyleTag({
    content: '.mantine-Notifications-root { display: none !important; }',
  });
  for (const size of [DESKTOP, PHONE]) {
    await resize(page, size);
    await shot(page, name);
  }
  await page.setViewportSize(DESKTOP);
  await hidden.evaluate((style) => style.remove());
}

const textbox = (scope: Page | Locator, name: string) => scope.getByRole('textbox', { name, exact: true });

/** A Mantine Select (or MultiSelect, TagsInput) by its label; a required one's label ends with " *". */
const select = (scope: Page | Locator, label: string) =>
  scope.getByLabel(new RegExp(`^${label}( \\*)?$`)).first();

/** Picks an option of a Mantine Select (or MultiSelect). */
async function pick(page: Page, input: Locator, option: string): Promise<void> {
  await input.click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** The message shown under a field: its input is marked invalid and described by the message. */
async function fieldError(input: Locator): Promise<string> {
  await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const texts = await Promise.all(ids.map((id) => input.page().locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}

describe('management pages', () => {
  it('creates a customer with a site, renames the site, and shows the refusal to delete a customer with users', async () => {
    const { page, errors } = await open();
    await signIn(page, server.url, ADMIN, '/customers');
    const table = page.getByTestId('customers-table');
    await expect.poll(() => table.textContent()).toContain('Initech');

    await page.getByRole('button', { name: 'New customer' }).click();
    const dialog = page.getByRole('dialog');
    await textbox(dialog, 'Name').fill('Umbrella Corp');
    await textbox(dialog, 'External id').fill('SF-1001');
    await shots(page, 'customer-new', 'dialog');
    await dialog.getByRole('button', { name: 'Create customer' }).click();
    await page.waitForURL(/\/customers\/\d+$/);
    const sites = page.getByTestId('sites-table');
    await expect.poll(() => sites.textContent()).toContain('HQ');
    expect(await sites.textContent()).toContain('Default');

    await textbox(page, 'New site').fill('Warehouse');
    await page.getByRole('button', { name: 'Add site' }).click();
    await expect.poll(() => sites.textContent()).toContain('Warehouse');
    // A second site of the same name: the API's refusal is shown under the field.
    await textbox(page, 'New site').fill('warehouse');
    await page.getByRole('button', { name: 'Add site' }).click();
    expect(await fieldError(textbox(page, 'New site'))).toContain('already has a site');

    await page.getByRole('button', { name: 'Edit site Warehouse' }).click();
    await textbox(page.getByRole('dialog'), 'Name').fill('Central warehouse');
    await page.getByRole('dialog').getByRole('button', { name: 'Rename' }).click();
    await expect.poll(() => sites.textContent()).toContain('Central warehouse');
    // HQ can be neither renamed nor deleted, so it offers neither.
    expect(await page.getByRole('button', { name: 'Edit site HQ' }).count()).toBe(0);
    await shots(page, 'customer');

    await page.getByRole('link', { name: 'Customers' }).first().click();
    await page.waitForURL('**/customers');
    await expect.poll(() => table.textContent()).toContain('Umbrella Corp');
    await shots(page, 'customers');

    await page.getByRole('button', { name: 'Delete Initech' }).click();
    const confirm = page.getByRole('dialog');
    expect(await confirm.textContent()).toContain('the customer "Initech"');
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => confirm.getByRole('alert').textContent()).toContain('still has 1 user(s)');
    await shots(page, 'customer-delete-refused', 'dialog');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await table.textContent()).toContain('Initech');

    // The search asks the API.
    await textbox(page, 'Search').fill('umb');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('creates, edits and deletes a portal role, a group and a list attribute; API errors sit under their fields', async () => {
    const { page, errors } = await open();
    await signIn(page, server.url, ADMIN, '/roles');
    const roles = page.getByTestId('roles-table');

    await page.getByRole('button', { name: 'New role' }).click();
    let dialog = page.getByRole('dialog');
    await textbox(dialog, 'Name').fill('Dispatcher');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => roles.textContent()).toContain('Dispatcher');

    await page.getByRole('button', { name: 'New role' }).click();
    dialog = page.getByRole('dialog');
    await textbox(dialog, 'Name').fill('Dispatcher');
    await dialog.getByRole('button', { name: 'Save' }).click();
    expect(await fieldError(textbox(dialog, 'Name'))).toContain('A portal role named "Dispatcher" exists');
    await shots(page, 'role-error', 'dialog');
    await textbox(dialog, 'Name').fill('Driver');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => roles.textContent()).toContain('Driver');

    await page.getByRole('button', { name: 'Edit Driver' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Description' }).fill('Drives the vans');
    await dialog.getByRole('switch', { name: 'Active' }).uncheck();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => roles.textContent()).toContain('Drives the vans');
    expect(await roles.textContent()).toContain('Inactive');
    await shots(page, 'roles');

    await page.getByRole('button', { name: 'Delete Driver' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => roles.textContent()).not.toContain('Driver');

    // Groups
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.waitForURL('**/groups');
    const groups = page.getByTestId('groups-table');
    await page.getByRole('button', { name: 'New group' }).click();
    dialog = page.getByRole('dialog');
    await textbox(dialog, 'Name').fill('Field team');
    await pick(page, select(dialog, 'Roles'), 'Dispatcher');
    await page.keyboard.press('Escape');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => groups.textContent()).toContain('Field team');
    expect(await groups.textContent()).toContain('Dispatcher');
    await page.getByRole('button', { name: 'Edit Field team' }).click();
    await textbox(page.getByRole('dialog'), 'Name').fill('Field crew');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => groups.textContent()).toContain('Field crew');
    await shots(page, 'groups');
    // A role that a group holds cannot be deleted: the API says why.
    await page.getByRole('link', { name: 'Portal roles' }).click();
    await page.getByRole('button', { name: 'Delete Dispatcher' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('1 group(s)');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('button', { name: 'Delete Field crew' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => groups.textContent()).toContain('No groups yet.');

    // Custom attributes
    await page.getByRole('link', { name: 'Custom attributes' }).click();
    await page.waitForURL('**/attributes');
    const attributes = page.getByTestId('attributes-table');
    await page.getByRole('button', { name: 'New attribute' }).click();
    dialog = page.getByRole('dialog');
    await textbox(dialog, 'Key').fill('Sales Region');
    await textbox(dialog, 'Label').fill('Region');
    await pick(page, select(dialog, 'Type'), 'One of a list');
    const values = select(dialog, 'Allowed values');
    await values.fill('North');
    await values.press('Enter');
    await values.fill('South');
    await values.press('Enter');
    await dialog.getByRole('checkbox', { name: /Required/ }).check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    expect(await fieldError(textbox(dialog, 'Key'))).toContain('lower-case letters');
    await shots(page, 'attribute-error', 'dialog');
    await textbox(dialog, 'Key').fill('sales_region');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => attributes.textContent()).toContain('Region');
    const row = await attributes.textContent();
    for (const text of ['sales_region', 'One of a list', 'North', 'South', 'Required'])
      expect(row).toContain(text);
    await page.getByRole('button', { name: 'Edit Region' }).click();
    dialog = page.getByRole('dialog');
    expect(await textbox(dialog, 'Key').isDisabled()).toBe(true);
    await textbox(dialog, 'Label').fill('Sales region');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => attributes.textContent()).toContain('Sales region');
    await shots(page, 'attributes');
    await page.getByRole('button', { name: 'Delete Sales region' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => attributes.textContent()).toContain('No custom attributes yet.');
    expect(errors).toEqual([]);
  });

  it('lists and creates contacts with their CRM id and email', async () => {
    const { page, errors } = await open();
    await signIn(page, server.url, ADMIN, '/contacts');
    const contacts = page.getByTestId('contacts-table');
    await expect.poll(() => contacts.textContent()).toContain('CRM-0001');

    await page.getByRole('button', { name: 'New contact' }).click();
    const dialog = page.getByRole('dialog');
    await pick(page, select(dialog, 'Customer'), 'Acme Logistics');
    await textbox(dialog, 'First name').fill('Bruto');
    await textbox(dialog, 'Last name').fill('Brutus');
    await textbox(dialog, 'Email').fill('not-an-email');
    await textbox(dialog, 'External id (CRM id)').fill('CRM-0002');
    await dialog.getByRole('button', { name: 'Save' }).click();
    expect(await fieldError(textbox(dialog, 'Email'))).toContain('not a valid email address');
    await textbox(dialog, 'Email').fill('bruto@acme.example');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => contacts.textContent()).toContain('bruto@acme.example');
    expect(await contacts.textContent()).toContain('CRM-0002');
    expect(await page.getByTestId('page-subtitle').textContent()).toBe('2 contacts');

    await page.getByRole('button', { name: 'Edit Bruto Brutus' }).click();
    await textbox(page.getByRole('dialog'), 'Last name').fill('Bluto');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => contacts.textContent()).toContain('Bruto Bluto');
    await shots(page, 'contacts');

    // Filtered by customer, from the customer's page.
    await page.goto(`${server.url}/contacts?customerId=${acmeId}`);
    await expect.poll(() => contacts.locator('tbody tr').count()).toBe(2);

    // Searched by the start of a name or email, or by the CRM id exactly; the address keeps it.
    const search = textbox(page, 'Search');
    await search.fill('BLU');
    await expect.poll(() => contacts.locator('tbody tr').count()).toBe(1);
    expect(await contacts.textContent()).toContain('Bruto Bluto');
    expect(page.url()).toContain('q=BLU');
    expect(page.url()).toContain(`customerId=${acmeId}`);
    await search.fill('CRM-0001');
    await expect.poll(() => contacts.textContent()).toContain('olive@acme.example');
    expect(await contacts.locator('tbody tr').count()).toBe(1);
    await search.fill('CRM-000');
    await expect.poll(() => contacts.textContent()).toContain('No contact matches this search.');
    await page.reload();
    expect(await textbox(page, 'Search').inputValue()).toBe('CRM-000');
    await textbox(page, 'Search').fill('');
    await expect.poll(() => contacts.locator('tbody tr').count()).toBe(2);
    expect(errors).toEqual([]);
  });

  it('creates a scoped user admin and a viewer, and an API token whose secret is shown once, works, and stops when revoked', async () => {
    const { page, errors } = await open();
    await signIn(page, server.url, ADMIN, '/admins');
    const admins = page.getByTestId('admins-table');
    await expect.poll(() => admins.textContent()).toContain(ADMIN.email);

    await page.getByRole('button', { name: 'New admin' }).click();
    let dialog = page.getByRole('dialog');
    await textbox(dialog, 'Name').fill('Sam Scoped');
    await textbox(dialog, 'Email').fill('sam@manage.example');
    await pick(page, select(dialog, 'Role'), 'User admin');
    await pick(page, select(dialog, 'Customers'), 'Acme Logistics');
    await dialog.getByLabel('Initial password').fill('short');
    await dialog.getByRole('button', { name: 'Create admin' }).click();
    expect(await fieldError(dialog.getByLabel('Initial password'))).toContain('at least 10 characters');
    await dialog.getByLabel('Initial password').fill('sam-initial-password-1');
    await shots(page, 'admin-new', 'dialog');
    await dialog.getByRole('button', { name: 'Create admin' }).click();
    await expect.poll(() => admins.textContent()).toContain('sam@manage.example');
    const sam = admins.locator('tr', { hasText: 'sam@manage.example' });
    expect(await sam.textContent()).toContain('User admin');
    expect(await sam.textContent()).toContain('Acme Logistics');

    await page.getByRole('button', { name: 'New admin' }).click();
    dialog = page.getByRole('dialog');
    await textbox(dialog, 'Name').fill('Vera Viewer');
    await textbox(dialog, 'Email').fill(VIEWER.email);
    await dialog.getByLabel('Initial password').fill(VIEWER.password);
    await dialog.getByRole('button', { name: 'Create admin' }).click();
    await expect.poll(() => admins.textContent()).toContain(VIEWER.email);
    const vera = admins.locator('tr', { hasText: VIEWER.email });
    expect(await vera.textContent()).toContain('Viewer');
    expect(await vera.textContent()).toContain('All customers');

    await page.getByRole('button', { name: 'Disable Sam Scoped' }).click();
    await expect.poll(() => sam.textContent()).toContain('Disabled');
    await shots(page, 'admins');
    await page.getByRole('button', { name: 'Enable Sam Scoped' }).click();
    await expect.poll(() => sam.textContent()).toContain('Enabled');
    // Never a password hash.
    expect(await page.content()).not.toContain('$argon2');

    // API tokens
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.waitForURL('**/tokens');
    await page.getByRole('button', { name: 'New token' }).click();
    dialog = page.getByRole('dialog');
    await textbox(dialog, 'Name').fill('Nightly CRM sync');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const secretBox = page.getByTestId('token-secret');
    await expect.poll(() => secretBox.textContent()).toBeTruthy();
    const secret = ((await secretBox.textContent()) ?? '').trim();
    const shown = page.getByRole('dialog', { name: 'Token "Nightly CRM sync" created' });
    expect(await shown.textContent()).toContain('You will not see this token again');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(1);
    await shots(page, 'token-created', 'dialog');
    const me = (token: string) =>
      fetch(`${server.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    const answer = await me(secret);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { admin: { email: string } }).admin.email).toBe(ADMIN.email);

    await page.getByRole('button', { name: 'I have copied it' }).click();
    const tokens = page.getByTestId('tokens-table');
    await expect.poll(() => tokens.textContent()).toContain('Nightly CRM sync');
    // Once the dialog is gone, so is the secret: the list never holds it.
    await expect.poll(async () => (await page.content()).includes(secret)).toBe(false);
    await shots(page, 'tokens');

    await page.getByRole('button', { name: 'Revoke Nightly CRM sync' }).click();
    dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('the token "Nightly CRM sync"');
    await dialog.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect.poll(() => tokens.textContent()).toContain('No API tokens yet.');
    expect((await me(secret)).status).toBe(401);
    expect(errors).toEqual([]);
  });

  it('saves a setting that stays after a reload, and shows a refused value under its field', async () => {
    const { page, errors } = await open();
    await signIn(page, server.url, ADMIN, '/settings');
    const ttl = textbox(page, 'Activation links last');
    await expect.poll(() => ttl.inputValue()).toBe('7 days');
    await ttl.fill('14');
    await textbox(page, 'Portal name').fill('Acme Partner Portal');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByText('Settings saved.').count()).toBe(1);
    await page.reload();
    await expect.poll(() => ttl.inputValue()).toBe('14 days');
    expect(await textbox(page, 'Portal name').inputValue()).toBe('Acme Partner Portal');
    expect(((await api('GET', '/api/v1/settings')) as { inviteTtlDays: number }).inviteTtlDays).toBe(14);

    const rate = textbox(page, 'Emails per minute');
    await rate.fill('0');
    await page.getByRole('button', { name: 'Save settings' }).click();
    expect(await fieldError(rate)).toContain('From 1 to 100,000');
    await shots(page, 'settings');
    expect(errors).toEqual([]);
  });

  it('shows the audit log, filtered by kind of object', async () => {
    const { page, errors } = await open();
    await signIn(page, server.url, ADMIN, '/audit');
    const audit = page.getByTestId('audit-table');
    await expect.poll(() => audit.textContent()).toContain('customer.create');
    await pick(page, select(page, 'Object'), 'Portal roles');
    await expect.poll(() => audit.textContent()).not.toContain('customer.create');
    expect(await audit.textContent()).toContain('role.create');
    await shots(page, 'audit');
    expect(errors).toEqual([]);
  });

  it('lets a viewer read the directory pages and change nothing', async () => {
    const { page, errors } = await open();
    await signIn(page, server.url, VIEWER, '/customers');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect.poll(() => nav.textContent()).toContain('Customers');
    const links = (await nav.textContent()) ?? '';
    for (const shown of [
      'Customers',
      'Contacts',
      'Portal roles',
      'Groups',
      'Custom attributes',
      'Settings',
    ]) {
      expect(links).toContain(shown);
    }
    for (const hidden of ['Admins', 'API tokens', 'Audit log']) expect(links).not.toContain(hidden);

    await expect.poll(() => page.getByTestId('customers-table').textContent()).toContain('Umbrella Corp');
    expect(await page.getByRole('button', { name: 'New customer' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Edit|Delete) / }).count()).toBe(0);
    await shots(page, 'viewer-customers');
    await page.getByRole('link', { name: 'Umbrella Corp' }).click();
    await expect.poll(() => page.getByTestId('sites-table').textContent()).toContain('Central warehouse');
    expect(await page.getByRole('button', { name: 'Add site' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Edit|Delete)/ }).count()).toBe(0);

    for (const [link, table, button] of [
      ['Contacts', 'contacts-table', 'New contact'],
      ['Portal roles', 'roles-table', 'New role'],
      ['Groups', 'groups-table', 'New group'],
      ['Custom attributes', 'attributes-table', 'New attribute'],
    ] as const) {
      await nav.getByRole('link', { name: link }).click();
      await expect.poll(() => page.getByTestId(table).locator('tbody tr').count()).toBeGreaterThan(0);
      expect(await page.getByRole('button', { name: button }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /^(Edit|Delete) / }).count()).toBe(0);
    }
    await nav.getByRole('link', { name: 'Settings' }).click();
    await expect.poll(() => textbox(page, 'Activation links last').inputValue()).toBe('14 days');
    expect(await page.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
    expect(await textbox(page, 'Portal name').getAttribute('readonly')).not.toBeNull();
    await shots(page, 'viewer-settings');

    await page.goto(`${server.url}/admins`);
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Your role does not allow this page');
    expect(errors).toEqual([]);
  });

  it('reads well in dark mode on a phone', async () => {
    const { page, errors } = await open(PHONE);
    await signIn(page, server.url, ADMIN, '/customers');
    await page.getByRole('button', { name: 'Switch to dark mode' }).click();
    await expect.poll(() => page.getByTestId('customers-table').textContent()).toContain('Umbrella Corp');
    await shot(page, 'customers-dark');
    await page.goto(`${server.url}/admins`);
    await expect.poll(() => page.getByTestId('admins-table').textContent()).toContain('Sam Scoped');
    await shot(page, 'admins-dark');
    await page.goto(`${server.url}/settings`);
    await expect.poll(() => textbox(page, 'Activation links last').inputValue()).toBe('14 days');
    await shot(page, 'settings-dark');
    expect(errors).toEqual([]);
  });
});
