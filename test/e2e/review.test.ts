import { createRequire } from 'node:module';
import type { AxeResults, RunOptions } from 'axe-core';
import { stringify } from 'csv-stringify/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiSession,
  type ConsoleServer,
  DESKTOP,
  launchBrowser,
  signIn,
  startConsoleServer,
} from '../support/browser.js';
import { reviewRows, shots, startImport } from '../support/wizard.js';

/**
 * The review at scale in a real browser: every problem of a row as text in an Issues column, the
 * row number, status and key pinned while the table scrolls sideways, "Next error" bringing the bad
 * cell into view; bulk fixes (a suggestion for all, a value map, find and replace) and the customer
 * chosen after the upload; a 100,000-row file fixed by one value map and committed.
 */
const ADMIN = { email: 'admin@review.example', password: 'review-e2e-password-1' };
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let server: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  server = await startConsoleServer(ADMIN);
  const api = await apiSession(server.url, ADMIN);
  const acme = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Acme Logistics' });
  await api('POST', `/api/v1/customers/${acme.id}/sites`, { name: 'North' });
  await api('POST', '/api/v1/roles', { name: 'Manager' });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

/** A page that lets axe's script in (the console's CSP forbids inline script) and records errors. */
async function openReviewPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce', bypassCSP: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

/** Serious and critical WCAG 2.1 A/AA violations on the page as it is. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const options: RunOptions = {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  };
  return page.evaluate(async (runOptions) => {
    // axe-core's script defines a global `axe`; its types describe the module, not the window.
    const { axe } = globalThis as unknown as { axe: { run: (o: RunOptions) => Promise<AxeResults> } };
    const results = await axe.run(runOptions);
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.html.slice(0, 120)).join(' | ')}`);
  }, options);
}

const csv = (name: string, rows: string[][]) => ({
  name,
  mimeType: 'text/csv',
  buffer: Buffer.from(stringify(rows)),
});

/** A wide file: the bad cells sit far to the right, past what 1280 pixels show. */
const WIDE_HEADER = [
  'Email',
  'First name',
  'Last name',
  'Display name',
  'Username',
  'Employee number',
  'Comment',
  'User type',
  'Status',
  'Site',
  'Roles',
];
const wideRow = (email: string, site: string, roles: string) => [
  email,
  'Firstname',
  'Lastname',
  'A rather long display name',
  '',
  '000123',
  'not imported',
  'Standard',
  'pending',
  site,
  roles,
];

async function toReview(page: Page, customer: string | null, file: ReturnType<typeof csv>) {
  if (customer === null) {
    await page.goto(`${server.url}/imports/new`);
    await page.getByRole('button', { name: 'Next: template' }).click();
    await page.getByRole('button', { name: 'Next: upload' }).click();
    await page.locator('input[type=file]').setInputFiles(file);
    await page.waitForURL(/\/imports\/\d+\?step=map/, { timeout: 120_000 });
  } else {
    await startImport(page, server.url, customer, file);
  }
  await page.getByRole('button', { name: 'Next: options' }).click();
  await page.getByRole('button', { name: 'Next: review' }).click();
  await page.waitForURL('**?step=review');
}

describe('the review', () => {
  it('shows every reason as text, pins the row, status and key, hides ignored columns, and scrolls to the bad cell', async () => {
    const { context, page, errors } = await openReviewPage();
    await signIn(page, server.url, ADMIN, '/imports');
    // Comment is not a field: the mapping leaves it out.
    await toReview(
      page,
      'Acme Logistics',
      csv('wide.csv', [
        WIDE_HEADER,
        wideRow('ann@acme.example', 'North', 'Manager'),
        wideRow('bob@acme.example', 'QQ', 'manager'),
        wideRow('not-an-email', 'QQ', 'Manager'),
      ]),
    );
    await expect.poll(() => reviewRows(page).count()).toBe(3);
    const headers = await page.getByTestId('review-table').locator('thead th').allTextContents();
    expect(headers.slice(0, 4)).toEqual(['Row', 'Status', 'Email', 'Issues']);
    expect(headers).not.toContain('Comment');
    // Both problems of row 4 at once, as text.
    const issues = page.locator('#import-row-4').getByTestId('row-issues');
    await expect.poll(() => issues.textContent()).toMatch(/Email.*Site: This customer has no site "QQ"/s);
    expect(await page.locator('#import-row-3').getByTestId('row-issues').textContent()).toContain(
      'Did you mean "Manager"?',
    );

    // Next error: the row, and its bad cell brought into view sideways; the pinned columns stay.
    await page.getByRole('button', { name: 'Next error' }).click();
    await expect.poll(() => page.getByTestId('review-announce').textContent()).toBe('Row 3, page 1.');
    const rowCell = page.locator('#import-row-3 td').first();
    const siteCell = page
      .locator('#import-row-3 [data-testid=cell-error][data-code~="site.not_found"]')
      .first();
    await expect
      .poll(async () => {
        const box = await siteCell.boundingBox();
        return box !== null && box.x >= 0 && box.x + box.width <= DESKTOP.width;
      })
      .toBe(true);
    // The table's scrolling box (the nearest ancestor wider inside than out) has moved sideways.
    const scrolled = await page.getByTestId('review-table').evaluate((t) => {
      let box = t.parentElement;
      while (box && box.scrollWidth <= box.clientWidth) box = box.parentElement;
      return box?.scrollLeft ?? 0;
    });
    expect(scrolled).toBeGreaterThan(0);
    const pinnedLeft = (await rowCell.boundingBox())!.x;
    const tableLeft = (await page.getByTestId('review-table').boundingBox())!.x;
    expect(pinnedLeft).toBeGreaterThan(tableLeft);
    await shots(page, 'review-1-issues');
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('fixes many rows at once: a suggestion for all, a value map, find and replace, each kept in the history', async () => {
    const { context, page, errors } = await openReviewPage();
    await signIn(page, server.url, ADMIN, '/imports');
    await toReview(
      page,
      'Acme Logistics',
      csv('fixes.csv', [
        ['Email', 'First name', 'Site', 'Roles'],
        ['cat@acme.example', 'Cat', 'QQ', 'manager'],
        ['dan@acme.example', 'Dan', 'QQ', 'manager'],
        ['eve@acme.example', 'Eve', 'Nrth-1', 'manager'],
        ['fay@acme.example', 'Fay', 'North', 'Manager'],
      ]),
    );
    await expect.poll(() => page.getByTestId('review-counts').textContent()).toContain('3 with errors');
    await page
      .getByRole('button', { name: 'Fix all like this: replace every "manager" in Roles with "Manager"' })
      .first()
      .click();
    await expect
      .poll(() => page.getByTestId('review-announce').textContent())
      .toBe('3 rows changed; 3 rows with errors left.');
    await expect.poll(() => page.getByText('Did you mean "Manager"?').count()).toBe(0);

    await page.getByRole('button', { name: 'Replace values…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replace values' });
    await expect.poll(() => dialog.getByRole('combobox', { name: 'Column' }).inputValue()).toBe('Site');
    await expect.poll(() => dialog.getByTestId('invalid-values').locator('tbody tr').count()).toBe(2);
    expect(await dialog.getByTestId('invalid-values').locator('tbody tr').first().textContent()).toBe('QQ2');
    await dialog.getByRole('textbox', { name: 'Replace "QQ" with' }).fill('HQ');
    await shots(page, 'review-2-replace-values');
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Replace 1 value' }).click();
    await expect.poll(() => page.getByTestId('review-counts').textContent()).toContain('1 with errors');

    await page.getByRole('button', { name: 'Find and replace…' }).click();
    const find = page.getByRole('dialog', { name: 'Find and replace' });
    await find.getByRole('combobox', { name: 'Column' }).click();
    await page.getByRole('option', { name: 'Site' }).click();
    await find.getByRole('textbox', { name: 'Find' }).fill('Nrth-1');
    await find.getByRole('textbox', { name: 'Replace with' }).fill('North');
    await find.getByRole('button', { name: 'Replace all' }).click();
    await expect
      .poll(() => page.getByTestId('review-counts').textContent())
      .toMatch(/4 valid · 0 with errors/);
    const history = page.getByTestId('fix-history');
    await expect.poll(() => history.locator('li').count()).toBe(3);
    expect(await history.textContent()).toContain('Site: "QQ" → "HQ"');
    await shots(page, 'review-3-fixed');
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('takes the customer after the upload: a file without a Customer column is fixed in the review', async () => {
    const { context, page, errors } = await openReviewPage();
    await signIn(page, server.url, ADMIN, '/imports');
    await toReview(
      page,
      null,
      csv('no-customer.csv', [
        ['Email', 'Site'],
        ['gil@acme.example', 'North'],
      ]),
    );
    const fix = page.getByTestId('customer-fix');
    await fix.waitFor();
    await fix.getByRole('combobox', { name: 'Customer' }).click();
    await page.getByRole('option', { name: 'Acme Logistics' }).click();
    await fix.getByRole('button', { name: 'Use this customer' }).click();
    await expect.poll(() => page.getByTestId('review-counts').textContent()).toContain('1 valid');
    expect(await fix.count()).toBe(0);
    // The options step shows it, and offers to change it again.
    await page.getByRole('button', { name: 'Back' }).click();
    await expect
      .poll(() => page.getByRole('main').getByRole('combobox', { name: 'Customer' }).inputValue())
      .toBe('Acme Logistics');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('fixes a 100,000-row file whose every row names an unknown site with one value map, then commits it', async () => {
    const { context, page, errors } = await openReviewPage();
    await signIn(page, server.url, ADMIN, '/imports');
    const rows = [['Email', 'First name', 'Site']];
    for (let i = 1; i <= 100_000; i++) rows.push([`bulk${i}@acme.example`, 'Bulk', 'QQ']);
    await toReview(page, 'Acme Logistics', csv('bulk.csv', rows));
    await expect
      .poll(() => page.getByTestId('review-counts').textContent(), { timeout: 30_000 })
      .toMatch(/ 0 valid .* 100,000 with errors/);
    await page.getByRole('button', { name: 'Replace values…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replace values' });
    await dialog.getByRole('textbox', { name: 'Replace "QQ" with' }).fill('North');
    expect(await dialog.getByTestId('invalid-values').locator('tbody tr').first().textContent()).toBe(
      'QQ100,000',
    );
    await dialog.getByRole('button', { name: 'Replace 1 value' }).click();
    await expect
      .poll(() => page.getByTestId('review-announce').textContent(), { timeout: 60_000 })
      .toBe('100,000 rows changed; 0 rows with errors left.');
    expect(await page.getByTestId('review-counts').textContent()).toMatch(/100,000 valid · 0 with errors/);
    await page.getByRole('button', { name: /^Commit 100,000 valid rows$/ }).click();
    await page.getByTestId('result-counts').waitFor({ timeout: 300_000 });
    expect(await page.getByTestId('import-status').textContent()).toBe('Completed');
    expect(errors).toEqual([]);
    await context.close();
  }, 400_000);
});
