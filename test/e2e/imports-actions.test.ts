import { stringify } from 'csv-stringify/sync';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiCall,
  apiSession,
  type ConsoleServer,
  launchBrowser,
  openPage,
  signIn,
  startConsoleServer,
} from '../support/browser.js';
import { reviewRows, shots, startImport } from '../support/wizard.js';

/**
 * An update file whose Action column deletes a user: the review counts the delete, the commit asks
 * to confirm it with the number of users, and the rollback brings the user back.
 */
const ADMIN = { email: 'admin@actions.example', password: 'actions-e2e-password-1' };

let server: ConsoleServer;
let browser: Browser;
let api: ApiCall;
let bobId: number;

beforeAll(async () => {
  server = await startConsoleServer(ADMIN);
  api = await apiSession(server.url, ADMIN);
  const acme = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Acme Logistics' });
  const manager = await api<{ id: number }>('POST', '/api/v1/roles', { name: 'Manager' });
  await api('POST', '/api/v1/users', {
    email: 'ann@acme.example',
    firstName: 'Ann',
    lastName: 'Ames',
    customerId: acme.id,
  });
  const bob = await api<{ id: number }>('POST', '/api/v1/users', {
    email: 'bob@acme.example',
    firstName: 'Bob',
    lastName: 'Byrd',
    customerId: acme.id,
    roleIds: [manager.id],
  });
  bobId = bob.id;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

describe('an import that deletes users', () => {
  it('counts the delete, asks to confirm it, commits, and the rollback brings the user back', async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, ADMIN, '/imports');
    await startImport(page, server.url, 'Acme Logistics', {
      name: 'leavers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        stringify([
          ['Email', 'Last name', 'Action'],
          ['ann@acme.example', 'Ames-Smith', 'update'],
          ['bob@acme.example', '', 'delete'],
        ]),
      ),
    });
    await page.getByRole('button', { name: 'Next: options' }).click();
    await page.getByRole('button', { name: 'Next: review' }).click();
    await expect.poll(() => reviewRows(page).count()).toBe(2);
    await expect.poll(() => page.getByTestId('planned').textContent()).toContain('delete 1');

    // The commit asks first, with the number of users, and goes on only once ticked.
    await page.getByRole('button', { name: /^Commit 2 valid rows$/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete users?' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('delete-count').textContent()).toContain('delete 1 user');
    const go = dialog.getByRole('button', { name: 'Commit and delete' });
    expect(await go.isDisabled()).toBe(true);
    await dialog.getByRole('checkbox', { name: 'Yes, delete 1 user' }).check();
    await shots(page, 'import-actions-confirm-delete');
    await go.click();

    await page.getByTestId('result-counts').waitFor({ timeout: 60_000 });
    const counts = async (key: string) =>
      Number((await page.locator(`[data-count=${key}]`).textContent())?.replace(/\D/g, ''));
    await expect.poll(() => counts('deleted')).toBe(1);
    expect(await counts('updated')).toBe(1);
    await shots(page, 'import-actions-results');
    await expect(api('GET', `/api/v1/users/${bobId}`)).rejects.toThrow(/404/);

    await page.getByRole('button', { name: 'Roll back…' }).click();
    const rollback = page.getByRole('dialog', { name: 'Roll back this import?' });
    expect(await rollback.textContent()).toContain('brings back the 1 user it deleted');
    await shots(page, 'import-actions-rollback-confirm');
    await rollback.getByRole('button', { name: 'Roll back' }).click();
    await page.getByTestId('rollback-result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('rollback-result').textContent()).toContain('2 users restored');
    await shots(page, 'import-actions-rolled-back');

    const bob = await api<{ id: number; lastName: string; roles: { name: string }[] }>(
      'GET',
      `/api/v1/users/${bobId}`,
    );
    expect(bob.lastName).toBe('Byrd');
    expect(bob.roles.map((r) => r.name)).toEqual(['Manager']);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows and saves the setting that keeps contact-users imports to administrators', async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, ADMIN, '/settings');
    const setting = page.getByRole('switch', {
      name: 'Only administrators may create users for existing contacts',
    });
    await setting.waitFor();
    expect(await setting.isChecked()).toBe(false);
    await setting.check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect
      .poll(
        async () =>
          (await api<{ contactUsersRequireAdministrator: boolean }>('GET', '/api/v1/settings'))
            .contactUsersRequireAdministrator,
      )
      .toBe(true);
    await setting.scrollIntoViewIfNeeded();
    await shots(page, 'settings-contact-users-administrator');
    expect(errors).toEqual([]);
    await context.close();
  });
});
