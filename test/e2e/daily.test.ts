import type { Browser, BrowserContext, Page } from 'playwright-core';
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
  signIn,
  startConsoleServer,
} from '../support/browser.js';
import { importCsv, until, uploadCsv } from '../support/e2e-api.js';
import { shots } from '../support/wizard.js';

/**
 * The console an administrator uses every day: the import history's filters and discarding an
 * upload, the wizard's mapping and step changes, the rollback's confirmation and progress, a used
 * activation link, and the import buttons where the work starts. Each page at 1280×800 and
 * 390×844, with screenshots, and axe on the changed pages.
 */
const ADMIN = { email: 'admin@daily.example', password: 'daily-e2e-password-1' };

let server: ConsoleServer;
let browser: Browser;
let api: ApiCall;
let acmeId: number;

beforeAll(async () => {
  server = await startConsoleServer(ADMIN, { MAIL_POLL_SECONDS: '0.2' });
  api = await apiSession(server.url, ADMIN);
  acmeId = (await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Acme Daily' })).id;
  await api('POST', '/api/v1/roles', { name: 'Manager' });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

/** A page whose context lets axe's script in (the console's CSP forbids inline script). */
async function auditedPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce', bypassCSP: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

/** axe at both sizes; back at the desktop size afterwards. */
async function audit(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const size of [DESKTOP, PHONE]) {
    await resize(page, size);
    found.push(...(await seriousViolations(page)).map((v) => `${size.width}: ${v}`));
  }
  await resize(page, DESKTOP);
  return found;
}

const people = (prefix: string, n: number, extra = '') => {
  const lines = ['Email,First name,Last name'];
  for (let i = 0; i < n; i++) lines.push(`${prefix}${i}@acme.example,Person${extra},${prefix}${i}`);
  return `${lines.join('\n')}\n`;
};

const tableIds = async (page: Page) =>
  (await page.getByTestId('imports-table').locator('tbody tr td:first-child').allTextContents()).map(Number);

describe('the import history', () => {
  it('filters by file name, status and date on the server, kept in the address; discards an upload', async () => {
    const march = await uploadCsv(
      server.url,
      ADMIN,
      people('march', 2),
      { customerId: acmeId },
      'march-staff.csv',
    );
    const april = await uploadCsv(
      server.url,
      ADMIN,
      people('april', 2),
      { customerId: acmeId },
      'april-staff.csv',
    );
    const done = await uploadCsv(
      server.url,
      ADMIN,
      people('may', 2),
      { customerId: acmeId },
      'may-staff.csv',
    );
    await api('POST', `/api/v1/imports/${done.id}/commit`, {});
    await until(
      'the commit',
      () => api<{ status: string }>('GET', `/api/v1/imports/${done.id}`),
      (i) => i.status === 'completed',
    );

    const { context, page, errors } = await auditedPage();
    await signIn(page, server.url, ADMIN, '/imports');
    await expect.poll(() => tableIds(page)).toEqual(expect.arrayContaining([march.id, april.id, done.id]));
    await page.getByRole('searchbox', { name: 'File name' }).fill('APRIL');
    await expect.poll(() => tableIds(page)).toEqual([april.id]);
    expect(page.url()).toContain('q=APRIL');
    await page.getByRole('searchbox', { name: 'File name' }).fill('');
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Ready to review' }).click();
    await expect.poll(() => tableIds(page)).toEqual([april.id, march.id]);
    expect(page.url()).toContain('status=validated');
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel('Started from').fill(today);
    await expect.poll(() => page.url()).toContain(`from=${today}`);
    // A reload keeps the filters.
    await page.reload();
    await expect.poll(() => tableIds(page)).toEqual([april.id, march.id]);
    expect(await page.getByRole('combobox', { name: 'Status' }).inputValue()).toBe('Ready to review');
    await page.getByLabel('Started from').fill('2001-01-01');
    await page.getByLabel('Started until').fill('2001-01-31');
    await expect
      .poll(() => page.getByTestId('imports-table').textContent())
      .toContain('No import matches these filters.');
    await page.getByLabel('Started until').fill(today);
    await expect.poll(() => tableIds(page)).toEqual([april.id, march.id]);
    await shots(page, 'daily-history-filters');
    expect(await audit(page)).toEqual([]);

    // Discard one: a confirmation, then it is cancelled and leaves "Ready to review".
    await page.getByRole('link', { name: 'march-staff.csv' }).click();
    await page.waitForURL(`**/imports/${march.id}`);
    await page.getByRole('button', { name: 'Discard import…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Discard this import?' });
    expect(await dialog.textContent()).toContain('writes nothing');
    await shots(page, 'daily-discard-confirm');
    expect(await audit(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Discard' }).click();
    await expect.poll(() => page.getByTestId('import-status').textContent()).toBe('Cancelled');
    await expect.poll(() => page.url()).toBe(`${server.url}/imports/${march.id}`);
    expect(await page.getByRole('button', { name: 'Discard import…' }).count()).toBe(0);
    await page.goBack();
    await page.waitForURL('**/imports?**');
    await expect.poll(() => tableIds(page)).toEqual([april.id]);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});

describe('the wizard', () => {
  it('opens each step at its heading, keeps the badge with the progress, and leaves ?step=review after the commit', async () => {
    const big = await uploadCsv(
      server.url,
      ADMIN,
      people('bulk', 20_000),
      { customerId: acmeId },
      'bulk.csv',
    );
    const { context, page, errors } = await auditedPage();
    await signIn(page, server.url, ADMIN, `/imports/${big.id}?step=map`);
    const headingInView = async (name: string) => {
      const heading = page.getByRole('heading', { name, level: 3 });
      await heading.waitFor();
      const box = await heading.boundingBox();
      const height = (page.viewportSize() ?? DESKTOP).height;
      return box !== null && box.y >= 0 && box.y < height / 2;
    };
    for (const size of [DESKTOP, PHONE]) {
      await resize(page, size);
      await page.goto(`${server.url}/imports/${big.id}?step=map`);
      await page.getByRole('heading', { name: 'Map columns to fields' }).waitFor();
      await page.mouse.wheel(0, 100_000);
      await page.getByRole('button', { name: 'Next: options' }).click();
      await page.waitForURL('**?step=options');
      await expect.poll(() => headingInView('Options')).toBe(true);
      await page.mouse.wheel(0, 100_000);
      await page.getByRole('button', { name: 'Next: review' }).click();
      await page.waitForURL('**?step=review');
      await expect.poll(() => headingInView('Review the rows')).toBe(true);
    }
    await resize(page, DESKTOP);

    // While the commit runs, the badge and the progress say the same.
    await page.getByRole('button', { name: /^Commit 20,000 valid rows$/ }).click();
    const seen = new Set<string>();
    await until(
      'the results',
      async () => {
        const pair = await page.evaluate(`[
          document.querySelector('[data-testid=import-status]')?.textContent ?? '',
          document.querySelector('[data-testid=commit-rate]')?.textContent ?? null,
          document.querySelector('[data-testid=result-counts]') !== null,
        ]`);
        const [badge, rate, results] = pair as [string, string | null, boolean];
        if (rate !== null) {
          seen.add(badge);
          expect(rate.startsWith(badge), `badge "${badge}" beside "${rate}"`).toBe(true);
        }
        return results;
      },
      Boolean,
      120_000,
    );
    await expect.poll(() => page.url()).toBe(`${server.url}/imports/${big.id}`);
    expect(await page.getByTestId('import-status').textContent()).toBe('Completed');
    expect([...seen].every((s) => ['Queued', 'Importing'].includes(s))).toBe(true);

    // The rollback: nothing changed since, so everything is undone; its progress like the commit's.
    await page.getByRole('button', { name: 'Roll back…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll back this import?' });
    await expect
      .poll(() => dialog.getByTestId('rollback-impact').textContent())
      .toContain('No user has been activated or changed since the import');
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await page.getByTestId('rollback-progress').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('rollback-done').textContent()).toMatch(/ of 20,000 users$/);
    await shots(page, 'daily-rollback-progress');
    await page.getByTestId('rollback-result').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('rollback-result').textContent()).toContain('20,000 users deleted');
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});

describe('the mapping and the problem filter', () => {
  it('shows sample values beside each column, why it matched in words, and problems by their message', async () => {
    const csv =
      'E-mail address,First name,Surname,Roles,Fav colour\n' +
      'ann@acme.example,Ann,Archer,Manager,red\n' +
      'ann@acme.example,Bob,Baker,Manger,blue\n' +
      'cy@acme.example,Cy,Cole,,green\n';
    const { id } = await uploadCsv(server.url, ADMIN, csv, { customerId: acmeId }, 'samples.csv');
    const { context, page, errors } = await auditedPage();
    await signIn(page, server.url, ADMIN, `/imports/${id}?step=map`);
    const mapping = page.getByTestId('mapping-table');
    await expect
      .poll(() => mapping.getByTestId('column-samples').first().textContent())
      .toBe('e.g. ann@acme.example · cy@acme.example');
    const rowText = (header: string) =>
      mapping.locator('tbody tr').filter({ hasText: header }).first().textContent();
    expect(await rowText('E-mail address')).toContain('Known synonym');
    expect(await rowText('First name')).toContain('Same name');
    expect(await rowText('Fav colour')).toContain('e.g. red · blue · green');
    expect(await rowText('Fav colour')).toContain('Ignored');
    expect(await mapping.textContent()).not.toMatch(/\d+%/);
    await shots(page, 'daily-mapping-samples');
    expect(await audit(page)).toEqual([]);

    await page.goto(`${server.url}/imports/${id}?step=review`);
    await page.getByRole('combobox', { name: 'Problem' }).click();
    const options = await page.getByRole('option').allTextContents();
    expect(options).toEqual(expect.arrayContaining(['Same value as another row (1)', 'Unknown role (1)']));
    expect(options.join(' ')).not.toMatch(/row\.duplicate|role\.unknown/);
    await page.getByRole('option', { name: 'Unknown role (1)' }).click();
    await shots(page, 'daily-problem-filter');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('import buttons where the work starts', () => {
  it("starts an import from the Users page and from a customer's page with the customer chosen", async () => {
    const { context, page, errors } = await auditedPage();
    await signIn(page, server.url, ADMIN, '/users');
    await page.getByRole('link', { name: 'Import users' }).click();
    await page.waitForURL('**/imports/new?target=users');
    await page.getByRole('heading', { name: 'What do you import?' }).waitFor();
    await page.goto(`${server.url}/customers/${acmeId}`);
    await page.getByRole('link', { name: 'Import users' }).waitFor();
    await shots(page, 'daily-customer-import-button');
    expect(await audit(page)).toEqual([]);
    await page.getByRole('link', { name: 'Import users' }).click();
    await page.waitForURL(`**/imports/new?customerId=${acmeId}`);
    await expect.poll(() => page.getByRole('combobox', { name: 'Customer' }).inputValue()).toBe('Acme Daily');
    await page.goto(`${server.url}/users`);
    await page.getByRole('link', { name: 'Import users' }).waitFor();
    await shots(page, 'daily-users-import-button');
    expect(await audit(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});

/** The link to `path` in the newest email of the local mailbox to `to`. */
async function linkInMail(to: string, path: string): Promise<string> {
  const box = await until(
    `an email to ${to} with a link to ${path}`,
    () => api<{ items: { text: string }[] }>('GET', `/api/v1/mailbox?to=${encodeURIComponent(to)}`),
    (b) => b.items.some((m) => m.text.includes(`${path}?token=`)),
  );
  const pattern = new RegExp(`(https?://\\S+${path}\\?token=[\\w-]+)`);
  const link = box.items.map((m) => pattern.exec(m.text)?.[1]).find(Boolean);
  if (!link) throw new Error(`no ${path} link in the mail to ${to}`);
  return link;
}

describe('after an import', () => {
  it('a used activation link says the account is active; the rollback says who was activated since and stays', async () => {
    const csv = 'Email,First name,Last name\nivy@acme.example,Ivy,Invited\njon@acme.example,Jon,Invited\n';
    const done = await importCsv(server.url, ADMIN, api, csv, {
      customerId: acmeId,
      targetOptions: { sendInvites: true },
    });
    expect(done.status).toBe('completed');
    const link = await linkInMail('ivy@acme.example', '/activate');
    const activated = await fetch(`${server.url}/api/v1/portal/activate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: new URL(link).searchParams.get('token'),
        password: 'ivy plants 42 trees daily',
      }),
    });
    expect(activated.status).toBe(200);

    // The link again: already active, sign in.
    const { context, page, errors } = await auditedPage();
    await page.goto(link);
    await page.getByTestId('link-account-active').waitFor();
    expect(await page.getByRole('heading', { name: 'Your account is already active' }).count()).toBe(1);
    await shots(page, 'daily-activation-used');
    expect(await audit(page)).toEqual([]);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL('**/portal/login');

    // The rollback's confirmation counts the activated user, who stays.
    await signIn(page, server.url, ADMIN, `/imports/${done.id}`);
    await page.getByRole('button', { name: 'Roll back…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll back this import?' });
    await expect
      .poll(() => dialog.getByTestId('rollback-impact').textContent())
      .toContain('Since the import, 1 user activated their account');
    expect(await dialog.textContent()).toContain('leaves that user as it is now');
    await shots(page, 'daily-rollback-confirm');
    expect(await audit(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await page.getByTestId('rollback-result').waitFor({ timeout: 60_000 });
    const result = (await page.getByTestId('rollback-result').textContent()) ?? '';
    expect(result).toContain('1 user deleted');
    expect(result).toContain('ivy@acme.example');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
