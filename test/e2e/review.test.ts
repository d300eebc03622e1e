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
});
