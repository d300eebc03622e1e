import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, openPage, PHONE, resize, shot, signIn } from '../support/browser.js';
import { browserTestConsole } from '../support/browser-test-console.js';
import { importCsv, until, uploadCsv } from '../support/e2e-api.js';

/**
 * Dark mode, page by page: a screenshot of each main page at both sizes (users, a user, an import's
 * review, customers, settings, the outbox, the portal's home), each looked at by a person, and the
 * colour scheme checked on every one of them.
 */

const ADMIN = { email: 'admin@dark.example', password: 'dark-e2e-password-1' };
const PERSON = 'grace.hopper@example.com';
const PASSWORD = 'compiler cobol 1959 nanosecond';

let userId: number;
let reviewId: number;

const e2e = browserTestConsole(ADMIN, { MAIL_POLL_SECONDS: '0.2' }, async ({ server, api }) => {
  const acme = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Acme Logistics' });
  await api('POST', '/api/v1/roles', { name: 'Field agent' });
  const done = await importCsv(
    server.url,
    ADMIN,
    api,
    `Email,First name,Last name,Roles\n${PERSON},Grace,Hopper,Field agent\nalan.kay@example.com,Alan,Kay,\n`,
    { customerId: acme.id, targetOptions: { sendInvites: true } },
  );
  expect(done.status).toBe('completed');
  const found = await api<{ items: { id: number }[] }>('GET', `/api/v1/users?q=${PERSON}`);
  userId = found.items[0]!.id;

  // An import left in review, with a bad cell to show.
  const inReview = await uploadCsv(
    server.url,
    ADMIN,
    'Email,First name,Last name\nnot-an-email,Bad,Row\nada@example.com,Ada,Lovelace\n',
    { customerId: acme.id },
    'review.csv',
  );
  reviewId = inReview.id;
});

/** Screenshots at both sizes, named `<name>-dark`, after checking the page is dark. */
async function darkShots(page: Page, name: string): Promise<void> {
  expect(await page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
  const hidden = await page.addStyleTag({
    content: '.mantine-Notifications-root { display: none !important; }',
  });
  for (const size of [DESKTOP, PHONE]) {
    await resize(page, size);
    await shot(page, `${name}-dark`);
  }
  await page.setViewportSize(DESKTOP);
  await hidden.evaluate((style) => style.remove());
}

describe('dark mode', () => {
  it('draws every main page of the console and the portal readably in dark mode', async () => {
    const { context, page, errors } = await openPage(e2e.browser);
    // The choice the console remembers, in place before the first paint.
    await context.addInitScript("localStorage.setItem('mantine-color-scheme-value', 'dark')");
    await signIn(page, e2e.server.url, ADMIN);
    await expect.poll(() => page.getByTestId('users-table').textContent()).toContain(PERSON);
    await darkShots(page, 'users');

    await page.goto(`${e2e.server.url}/users/${userId}`);
    await expect.poll(() => page.getByRole('heading', { name: 'Grace Hopper' }).count()).toBe(1);
    await darkShots(page, 'user');
    await page.getByRole('tab', { name: 'History' }).click();
    await expect.poll(() => page.getByTestId('user-history').textContent()).toContain('Import finished');
    await darkShots(page, 'user-history');

    await page.goto(`${e2e.server.url}/imports/${reviewId}?step=review`);
    await expect.poll(() => page.getByTestId('cell-error').count()).toBeGreaterThan(0);
    await darkShots(page, 'import-review');

    await page.goto(`${e2e.server.url}/customers`);
    await expect.poll(() => page.getByTestId('customers-table').textContent()).toContain('Acme Logistics');
    await darkShots(page, 'customers');

    await page.goto(`${e2e.server.url}/settings`);
    await expect.poll(() => page.getByRole('textbox', { name: 'Portal name' }).count()).toBe(1);
    await darkShots(page, 'settings');

    await page.goto(`${e2e.server.url}/mail/outbox`);
    await expect.poll(() => page.getByTestId('outbox-table').textContent()).toContain(PERSON);
    await darkShots(page, 'outbox');

    // The portal: activate through the emailed link, then the home page.
    const mail = await until(
      `the invitation to ${PERSON}`,
      () => e2e.api<{ items: { text: string }[] }>('GET', `/api/v1/mailbox?to=${encodeURIComponent(PERSON)}`),
      (box) => box.items.some((m) => /\/activate\?token=/.test(m.text)),
    );
    const link = /(https?:\/\/\S+\/activate\?token=[\w-]+)/.exec(mail.items[0]!.text)?.[1];
    expect(link).toBeDefined();
    await page.goto(link!);
    await page.getByLabel(/^New password\s*\*?$/).fill(PASSWORD);
    await page.getByLabel(/^New password again/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Activate my account' }).click();
    await page.waitForURL('**/portal**');
    await expect.poll(() => page.getByTestId('portal-profile').textContent()).toContain(PERSON);
    await darkShots(page, 'portal-home');
    expect(errors).toEqual([]);
    await context.close();
  });
});
