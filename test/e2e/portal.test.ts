import { stringify } from 'csv-stringify/sync';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, openPage, PHONE, shot, signIn } from '../support/browser.js';
import { browserTestConsole } from '../support/browser-test-console.js';
import { toastsGone, until } from '../support/e2e-api.js';
import { reviewRows, startImport } from '../support/wizard.js';

/**
 * From an import with invitations, made through the wizard, to a portal user signed in, in a real
 * browser: the local mailbox
 * and the outbox in the console, the activation link from the received email, the strength meter,
 * portal sign-in and sign-out, a spent link, and a password reset through the mailbox.
 */
const ADMIN = { email: 'admin@portal.example', password: 'portal-e2e-password-1' };
const PERSON = 'hedy.lamarr@example.com';
const FIRST_PASSWORD = 'frequency hopping 1942';
const NEW_PASSWORD = 'torpedo guidance 7 spread';

const e2e = browserTestConsole(ADMIN, { MAIL_POLL_SECONDS: '0.2' }, async ({ api }) => {
  await api('POST', '/api/v1/customers', { name: 'Acme Logistics' });
  await api('POST', '/api/v1/roles', { name: 'Field agent' });
  await api('POST', '/api/v1/groups', { name: 'North team' });
});
let activationLink: string;

interface MailboxItem {
  id: number;
  to: string;
  subject: string;
}

/** Both screen sizes of the page as it is now. */
async function shots(page: Page, name: string) {
  await shot(page, name);
  await page.setViewportSize(PHONE);
  await shot(page, name);
  await page.setViewportSize(DESKTOP);
}

const waitForMail = (to: string, subject: string) =>
  until(
    `"${subject}" to ${to} in the mailbox`,
    () => e2e.api<{ items: MailboxItem[] }>('GET', `/api/v1/mailbox?to=${encodeURIComponent(to)}`),
    (box) => box.items.some((m) => m.subject === subject),
  );

/** Opens a message in the console's mailbox page. */
async function openMessage(page: Page, subject: string) {
  await page.goto(`${e2e.server.url}/mail/mailbox`);
  const item = page.getByTestId('mailbox-list').getByRole('button', { name: subject }).first();
  await item.click();
  await expect.poll(() => page.getByTestId('message').getByRole('heading').textContent()).toBe(subject);
}

/** Clicks a link in the email and returns the tab it opens. */
async function follow(context: BrowserContext, click: () => Promise<void>): Promise<Page> {
  const [opened] = await Promise.all([context.waitForEvent('page'), click()]);
  await opened.waitForLoadState();
  await opened.setViewportSize(DESKTOP);
  return opened;
}

describe('invitations, the mailbox and the portal', () => {
  it('imports with invitations through the wizard, follows the invitation from the mailbox, activates with a strong password and signs in to the portal', async () => {
    const { context, page, errors } = await openPage(e2e.browser);
    await signIn(page, e2e.server.url, ADMIN, '/imports');

    // The import, in the wizard: target and customer, upload, mapping, options with invitations on,
    // review, commit, results.
    const csv = stringify([
      ['Email', 'First name', 'Last name', 'Roles', 'Groups'],
      [PERSON, 'Hedy', 'Lamarr', 'Field agent', 'North team'],
      ['ann.other@example.com', 'Ann', 'Other', '', ''],
    ]);
    const importId = await startImport(page, e2e.server.url, 'Acme Logistics', {
      name: 'invitees.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.getByTestId('mapping-table').waitFor();
    expect(await page.getByRole('combobox', { name: 'Field for column Email' }).inputValue()).toMatch(
      /Email/,
    );
    await page.getByRole('button', { name: 'Next: options' }).click();
    await page.waitForURL('**?step=options');
    await page.getByRole('switch', { name: 'Send activation emails to new users' }).check();
    await expect
      .poll(() => page.getByTestId('invite-estimate').textContent())
      .toMatch(/2 emails: sending takes about/);
    await shots(page, 'invite-import-options');
    await page.getByRole('button', { name: 'Next: review' }).click();
    await page.waitForURL('**?step=review');
    await expect.poll(() => reviewRows(page).count()).toBe(2);
    expect(await page.getByTestId('cell-error').count()).toBe(0);
    await page.getByRole('button', { name: /^Commit 2 valid rows$/ }).click();
    await page.getByTestId('result-counts').waitFor({ timeout: 60_000 });
    await expect
      .poll(async () => (await page.locator('[data-count=created]').textContent())?.replace(/\D/g, ''))
      .toBe('2');
    expect(await page.getByTestId('import-status').textContent()).toBe('Completed');
    expect(page.url()).toContain(`/imports/${importId}`);
    await toastsGone(page);
    await shots(page, 'invite-import-results');

    // Both invitations, sent in the background at the configured rate.
    await waitForMail(PERSON, 'You are invited to Customer Portal');
    await waitForMail('ann.other@example.com', 'You are invited to Customer Portal');
    await page.getByRole('link', { name: 'Mailbox' }).click();
    await page.waitForURL('**/mail/mailbox');
    await expect.poll(() => page.getByTestId('mailbox-list').getByRole('button').count()).toBe(2);
    await shots(page, 'mailbox');

    await openMessage(page, 'You are invited to Customer Portal');
    // Both invitations went out; open Hedy's.
    const hedys = page.getByTestId('mailbox-list').getByRole('button', { name: new RegExp(PERSON) });
    await hedys.click();
    await expect.poll(() => page.getByTestId('message').textContent()).toContain(PERSON);
    // The HTML part is in a sandboxed frame that runs no script.
    const frame = page.getByTestId('message-html');
    expect(await frame.getAttribute('sandbox')).toBe('allow-popups allow-popups-to-escape-sandbox');
    const link = page
      .frameLocator('[data-testid="message-html"]')
      .getByRole('link', { name: /activate/i })
      .first();
    activationLink = (await link.getAttribute('href')) ?? '';
    expect(activationLink).toMatch(/\/activate\?token=[\w-]{20,}$/);
    await shots(page, 'mailbox-message');
    await page.getByRole('tab', { name: 'Plain text' }).click();
    expect(await page.getByTestId('message-text').getByRole('link').first().getAttribute('href')).toBe(
      activationLink,
    );
    await page.getByRole('tab', { name: 'Formatted' }).click();

    const portal = await follow(context, () => link.click());
    portalErrors(portal, errors);
    await expect.poll(() => portal.getByTestId('link-email').textContent()).toBe(PERSON);
    // The token leaves the address bar once read.
    expect(portal.url()).toBe(`${e2e.server.url}/activate`);
    await expect.poll(() => portal.title()).toBe('Activate your account · Customer Portal');

    const password = portal.getByLabel(/^New password\s*\*?$/);
    const meter = portal.getByTestId('password-strength');
    const activate = portal.getByRole('button', { name: 'Activate my account' });
    await password.fill('aaaaaaaaaaaa');
    await expect
      .poll(() => portal.locator('#password-strength').textContent())
      .toBe('Use more different characters.');
    expect(await activate.isDisabled()).toBe(true);
    await shots(portal, 'activate-weak');
    await password.fill(FIRST_PASSWORD);
    await portal.getByLabel(/^New password again/).fill(FIRST_PASSWORD);
    await expect.poll(() => portal.locator('#password-strength').textContent()).toBe('Strong password.');
    expect(
      Number(await meter.locator('[role="progressbar"]').getAttribute('aria-valuenow')),
    ).toBeGreaterThanOrEqual(70);
    await shots(portal, 'activate');
    await activate.click();

    // Activated and signed in: the portal's home with the profile, roles and groups.
    await portal.waitForURL('**/portal?welcome=activation');
    await expect
      .poll(() => portal.getByTestId('portal-welcome').textContent())
      .toContain('Your account is active');
    const profile = (await portal.getByTestId('portal-profile').textContent()) ?? '';
    expect(profile).toContain(PERSON);
    expect(profile).toContain('Acme Logistics');
    expect(profile).toContain('HQ');
    expect(await portal.getByTestId('portal-roles').textContent()).toBe('Field agent');
    expect(await portal.getByTestId('portal-groups').textContent()).toBe('North team');
    await shots(portal, 'portal-home');

    // The admin's list shows the user active.
    const listed = await e2e.api<{ items: { status: string }[] }>('GET', `/api/v1/users?q=${PERSON}`);
    expect(listed.items[0]!.status).toBe('active');

    // Sign out, and in again with the username.
    await portal.getByRole('button', { name: 'Sign out' }).click();
    await portal.waitForURL('**/portal/login');
    expect(await portal.evaluate(async () => (await fetch('/api/v1/portal/me')).status)).toBe(401);
    await portal.getByRole('textbox', { name: 'Email or username' }).fill('hedy.lamarr');
    await portal.getByLabel(/^Password\s*\*?$/).fill('not the password');
    await portal.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => portal.getByRole('alert').textContent()).toContain('password is wrong');
    await shots(portal, 'portal-login-error');
    await portal.getByLabel(/^Password\s*\*?$/).fill(FIRST_PASSWORD);
    await portal.getByRole('button', { name: 'Sign in' }).click();
    await portal.waitForURL('**/portal');
    await expect.poll(() => portal.getByRole('heading', { name: 'Welcome, Hedy Lamarr' }).count()).toBe(1);
    await portal.getByRole('button', { name: 'Sign out' }).click();
    await portal.waitForURL('**/portal/login');
    await shots(portal, 'portal-login');

    // A used link says the account is active and offers to sign in; a made-up one cannot be used.
    await portal.goto(activationLink);
    await portal.getByTestId('link-account-active').waitFor();
    expect(await portal.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/portal/login');
    await shots(portal, 'activate-used');
    await portal.goto(`${e2e.server.url}/activate?token=madeUpTokenThatNobodyWasEverSentAtAll1234`);
    const spent = portal.getByTestId('link-invalid');
    await expect.poll(() => spent.textContent()).toContain('expired or has already been used');

    // The outbox lists both invitations as sent; sending can be paused and resumed.
    await page.getByRole('link', { name: 'Outbox' }).click();
    await page.waitForURL('**/mail/outbox');
    const outbox = page.getByTestId('outbox-table').locator('tbody tr');
    await expect.poll(() => outbox.count()).toBe(2);
    expect(await page.getByTestId('outbox-counts').textContent()).toContain('sent: 2');
    expect(await outbox.first().textContent()).toContain('Invitation');
    await page.getByRole('button', { name: 'Pause sending' }).click();
    await expect.poll(() => page.getByTestId('sending-status').textContent()).toContain('paused');
    await toastsGone(page);
    await shots(page, 'outbox');
    await page.getByRole('button', { name: 'Resume sending' }).click();
    await expect.poll(() => page.getByTestId('sending-status').textContent()).toContain('running');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('resets a password through the mailbox and signs in with the new one', async () => {
    const { context, page, errors } = await openPage(e2e.browser);
    await page.goto(`${e2e.server.url}/portal/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL('**/portal/forgot-password');
    await page.getByRole('textbox', { name: 'Email' }).fill(PERSON);
    await shots(page, 'reset-request');
    await page.getByRole('button', { name: 'Send me a reset link' }).click();
    await expect.poll(() => page.getByTestId('reset-requested').textContent()).toContain('is on its way');
    await shots(page, 'reset-requested');

    await waitForMail(PERSON, 'Reset your Customer Portal password');
    const admin = await openPage(e2e.browser);
    await signIn(admin.page, e2e.server.url, ADMIN);
    await openMessage(admin.page, 'Reset your Customer Portal password');
    await admin.page.getByRole('tab', { name: 'Plain text' }).click();
    const link = admin.page.getByTestId('message-text').getByRole('link', { name: /reset-password/ });
    const reset = await follow(admin.context, () => link.click());
    portalErrors(reset, errors);
    await expect.poll(() => reset.getByTestId('link-email').textContent()).toBe(PERSON);
    expect(reset.url()).toBe(`${e2e.server.url}/reset-password`);
    await reset.getByLabel(/^New password\s*\*?$/).fill(NEW_PASSWORD);
    await reset.getByLabel(/^New password again/).fill(NEW_PASSWORD);
    await shots(reset, 'reset');
    await reset.getByRole('button', { name: 'Set my new password' }).click();
    await reset.waitForURL('**/portal?welcome=reset');
    await expect
      .poll(() => reset.getByTestId('portal-welcome').textContent())
      .toContain('new password is set');
    await reset.getByRole('button', { name: 'Sign out' }).click();
    await reset.waitForURL('**/portal/login');

    // The old password no longer works, the new one does.
    await reset.getByRole('textbox', { name: 'Email or username' }).fill(PERSON);
    await reset.getByLabel(/^Password\s*\*?$/).fill(FIRST_PASSWORD);
    await reset.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => reset.getByRole('alert').textContent()).toContain('password is wrong');
    await reset.getByLabel(/^Password\s*\*?$/).fill(NEW_PASSWORD);
    await reset.getByRole('button', { name: 'Sign in' }).click();
    await reset.waitForURL('**/portal');
    await expect.poll(() => reset.getByTestId('portal-profile').textContent()).toContain(PERSON);
    expect(errors).toEqual([]);
    expect(admin.errors).toEqual([]);
    await admin.context.close();
    await context.close();
  });
});

/** Collects the uncaught errors of a tab that a link opened, with the test's own. */
function portalErrors(page: Page, errors: string[]) {
  page.on('pageerror', (e) => errors.push(e.message));
}
