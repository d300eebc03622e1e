import { createRequire } from 'node:module';
import type { AxeResults, RunOptions } from 'axe-core';
import { stringify } from 'csv-stringify/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiSession,
  type ConsoleServer,
  DESKTOP,
  launchBrowser,
  signIn,
  startConsoleServer,
} from '../support/browser.js';
import { shots, startImport } from '../support/wizard.js';

/**
 * "Create what is missing" in the review, in a real browser: a site and a portal role named by
 * rows, created from beside their problems after a confirmation, and a custom attribute for a
 * column no field takes; the rows are valid at once and each creation is in the fix history.
 */
const ADMIN = { email: 'admin@create.example', password: 'create-e2e-password-1' };
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let server: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  server = await startConsoleServer(ADMIN);
  const api = await apiSession(server.url, ADMIN);
  await api('POST', '/api/v1/customers', { name: 'Acme Logistics' });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

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

describe('creating what is missing from the review', () => {
  it('creates a site, a portal role and an attribute from the review, and the rows are valid at once', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce', bypassCSP: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server.url, ADMIN, '/imports');
    const rows = [
      ['Email', 'First name', 'Site', 'Roles', 'Badge number'],
      ['ann@acme.example', 'Ann', 'Depot', 'Auditor', '12'],
      ['bob@acme.example', 'Bob', 'Depot', '', '13'],
    ];
    await startImport(page, server.url, 'Acme Logistics', {
      name: 'missing.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(stringify(rows)),
    });
    await page.getByRole('button', { name: 'Next: options' }).click();
    await page.getByRole('button', { name: 'Next: review' }).click();
    await page.waitForURL('**?step=review');
    await expect.poll(() => page.getByTestId('review-counts').textContent()).toContain('2 with errors');
    await shots(page, 'review-create-1-missing');

    await page.getByRole('button', { name: 'Create site "Depot"…' }).first().click();
    const site = page.getByRole('dialog', { name: 'Create site "Depot"' });
    await expect.poll(() => site.textContent()).toContain('for Acme Logistics');
    expect(await axeViolations(page)).toEqual([]);
    await site.getByRole('button', { name: 'Create site' }).click();
    await expect.poll(() => page.getByTestId('review-counts').textContent()).toContain('1 with errors');
    await expect.poll(() => page.getByRole('button', { name: 'Create site "Depot"…' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Create portal role "Auditor"…' }).click();
    await page
      .getByRole('dialog', { name: 'Create portal role "Auditor"' })
      .getByRole('button', { name: 'Create portal role' })
      .click();
    await expect
      .poll(() => page.getByTestId('review-counts').textContent())
      .toMatch(/2 valid · 0 with errors/);

    await page.getByRole('button', { name: 'Create attribute for "Badge number"…' }).click();
    const attribute = page.getByRole('dialog', { name: 'Create attribute for "Badge number"' });
    expect(await attribute.getByRole('textbox', { name: 'Key' }).inputValue()).toBe('badge_number');
    await attribute.getByRole('button', { name: 'Create attribute' }).click();
    await expect.poll(() => page.getByTestId('unmapped-columns').count()).toBe(0);

    const history = page.getByTestId('fix-history');
    await expect.poll(() => history.locator('li').count()).toBe(3);
    const text = await history.textContent();
    expect(text).toContain('Site: site "Depot" created');
    expect(text).toContain('Roles: portal role "Auditor" created');
    expect(text).toContain('attribute "Badge number" created');
    await shots(page, 'review-create-2-created');
    expect(await axeViolations(page)).toEqual([]);

    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
