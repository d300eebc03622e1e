import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue, RunOptions } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiCall,
  apiSession,
  type ConsoleServer,
  DESKTOP,
  launchBrowser,
  PHONE,
  resize,
  shot,
  signIn,
  startConsoleServer,
} from '../support/browser.js';
import { until } from '../support/e2e-api.js';
import { importIdOf, reviewRows } from '../support/wizard.js';

/**
 * A record import of many users' rows in the console: one customers file naming four users (and one
 * address that matches nobody) goes through the owner assignment, the user selection (one user left
 * out), the preview of the first user with a fix, Import, Skip, Import all users, the summary and
 * the rollback of one user, with screenshots at the desktop and the phone size and no serious or
 * critical axe violation on the new pages.
 */
const ADMIN = { email: 'admin@owners.example', password: 'owners-e2e-password-1' };
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const BLOCKING: ImpactValue[] = ['serious', 'critical'];

const FILE = [
  'Rep email,Customer number,Name,City',
  'ann.archer@example.com,1001,Bakery Brot,Dresden',
  'ann.archer@example.com,1002,,Leipzig',
  'ann.archer@example.com,,Corner Shop,Halle',
  'bob.baker@example.com,2001,Bob’s Bikes,Berlin',
  'cy.cole@example.com,3001,Cole Coffee,Hamburg',
  'cy.cole@example.com,3002,Cole Cakes,Bremen',
  'dee.dunn@example.com,4001,Dunn Deli,Köln',
  'zed@example.com,9001,Nobody Ltd,Bonn',
].join('\n');

let server: ConsoleServer;
let browser: Browser;
let api: ApiCall;
const ids: Record<string, number> = {};

async function audit(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"')))
    await page.addScriptTag({ path: AXE_SCRIPT });
  const options: RunOptions = {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  };
  const violations = await page.evaluate(async (runOptions) => {
    const { axe } = globalThis as unknown as { axe: { run: (o: RunOptions) => Promise<AxeResults> } };
    return (await axe.run(runOptions)).violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? undefined,
      where: v.nodes.map((n) => n.html.slice(0, 120)).join(' | '),
    }));
  }, options);
  return violations.filter((v) => v.impact && BLOCKING.includes(v.impact)).map((v) => `${v.id}: ${v.where}`);
}

/** Screenshots and axe at both sizes, back at the desktop size afterwards. */
async function look(page: Page, name: string): Promise<string[]> {
  const found: string[] = [];
  await page.mouse.move(0, 0);
  for (const size of [DESKTOP, PHONE]) {
    await resize(page, size);
    await shot(page, name);
    found.push(...(await audit(page)).map((v) => `${name} at ${size.width}: ${v}`));
  }
  await resize(page, DESKTOP);
  return found;
}

type Records = { items: { id: number; title: string }[] };
const recordsOf = (userId: number) =>
  api<Records>('GET', `/api/v1/records?ownerUserId=${userId}&type=customers`);

beforeAll(async () => {
  server = await startConsoleServer(ADMIN);
  api = await apiSession(server.url, ADMIN);
  const acme = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Acme Field Sales' });
  for (const [first, last, employeeNumber] of [
    ['Ann', 'Archer', '00123'],
    ['Bob', 'Baker', '00124'],
    ['Cy', 'Cole', null],
    ['Dee', 'Dunn', null],
  ] as const) {
    const email = `${first.toLowerCase()}.${last.toLowerCase()}@example.com`;
    ids[first] = (
      await api<{ id: number }>('POST', '/api/v1/users', {
        email,
        firstName: first,
        lastName: last,
        customerId: acme.id,
        ...(employeeNumber ? { employeeNumber } : {}),
      })
    ).id;
  }
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

describe('records for many users in the console', () => {
  it('assigns, selects, previews user by user, imports, skips, imports all, sums up and rolls one user back', async () => {
    // axe's script is added to the page: allowed past the console's Content-Security-Policy.
    const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce', bypassCSP: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const found: string[] = [];
    await signIn(page, server.url, ADMIN, '/imports/new');

    // Target, template, upload.
    await page.getByRole('radio', { name: 'Customers', exact: true }).check();
    await page.getByRole('button', { name: 'Next: template' }).click();
    await page.getByRole('button', { name: 'Next: upload' }).click();
    await page.locator('input[type=file]').setInputFiles({
      name: 'all-customers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(FILE),
    });
    await page.waitForURL(/\/imports\/\d+\?step=map/, { timeout: 60_000 });
    const importId = importIdOf(page);
    await page.getByTestId('mapping-table').waitFor();
    expect(await page.getByRole('combobox', { name: 'Field for column Rep email' }).inputValue()).toMatch(
      /Owner/,
    );
    await page.getByRole('button', { name: 'Next: options' }).click();
    await page.waitForURL('**?step=options');

    // Owner assignment: by email.
    await page.getByRole('radio', { name: 'Email', exact: true }).check();
    found.push(...(await look(page, 'owners-1-assignment')));
    await page.getByRole('button', { name: 'Next: users' }).click();
    await page.waitForURL('**?step=owners');

    // User selection: four users with their rows, the address that matches nobody, Dee left out.
    const owners = page.getByTestId('owners-table');
    await owners.getByText('Ann Archer').waitFor();
    await expect.poll(() => owners.getByTestId('owner-row').count()).toBe(4);
    const ann = owners.locator(`[data-owner="${ids.Ann}"]`);
    expect(await ann.textContent()).toContain('00123');
    const unmatched = page.getByTestId('unmatched-owners');
    expect(await unmatched.textContent()).toContain('zed@example.com');
    await page.getByRole('checkbox', { name: 'Import Dee Dunn' }).uncheck();
    await expect.poll(() => page.getByRole('checkbox', { name: 'Import Dee Dunn' }).isChecked()).toBe(false);
    await expect.poll(() => page.getByTestId('owners-summary').textContent()).toContain('for 3 users');
    found.push(...(await look(page, 'owners-2-selection')));
    await page.getByRole('button', { name: 'Next: preview' }).click();

    // Preview of the first user, with the row that lacks a name; Back and forward again.
    const heading = page.getByTestId('owner-heading');
    await expect.poll(() => heading.textContent()).toBe('User 1 of 3: Ann Archer');
    await page.waitForURL(`**owner=${ids.Ann}**`);
    await expect.poll(() => reviewRows(page).count()).toBe(3);
    await page.getByRole('button', { name: 'Back' }).click();
    await page.waitForURL('**?step=owners');
    await page.getByRole('button', { name: 'Next: preview' }).click();
    await expect.poll(() => heading.textContent()).toBe('User 1 of 3: Ann Archer');
    found.push(...(await look(page, 'owners-3-preview')));
    await page.getByRole('button', { name: 'Edit Row 3, Name: empty' }).click();
    await page.getByRole('textbox', { name: 'New value for Row 3, Name' }).fill('Café Crème');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('review-announce').textContent()).toBe('Row 3 is now valid.');
    // The row without a customer number stays as it is: it is reported, not imported.
    await expect.poll(() => page.getByTestId('review-counts').textContent()).toContain('1 with errors');

    // Import Ann: her result above the next user's preview.
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const result = page.getByTestId('owner-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.textContent()).toContain('Ann Archer');
    await expect.poll(() => page.getByTestId('owner-result-counts').textContent()).toContain('2 created');
    expect(await page.getByTestId('owner-result-counts').textContent()).toContain('1 failed');
    const failedRow = page.getByTestId('failed-row');
    await failedRow.waitFor();
    expect(await failedRow.textContent()).toMatch(/^4/);
    await expect.poll(() => heading.textContent()).toBe('User 2 of 3: Bob Baker');
    await page.waitForURL(`**owner=${ids.Bob}**`);
    expect(await page.getByTestId('import-status').textContent()).toBe('Partly imported');
    found.push(...(await look(page, 'owners-4-imported-one')));
    // A reload resumes at the same user.
    await page.reload();
    await expect.poll(() => heading.textContent()).toBe('User 2 of 3: Bob Baker');

    // Skip Bob, then import all users that are left (Cy).
    await page.getByRole('button', { name: 'Skip' }).click();
    await expect.poll(() => heading.textContent()).toBe('User 3 of 3: Cy Cole');
    await page.getByRole('button', { name: 'Import all users' }).click();
    const confirmAll = page.getByRole('dialog', { name: 'Import all users?' });
    expect(await confirmAll.textContent()).toContain('Cy Cole');
    found.push(...(await look(page, 'owners-5-import-all')));
    await confirmAll.getByRole('button', { name: 'Import all users' }).click();

    // The summary: what happened to each user, the totals, the files, the configuration.
    const summary = page.getByTestId('summary-owners');
    await summary.waitFor({ timeout: 60_000 });
    await page.waitForURL('**?step=summary');
    const stateOf = (first: string) =>
      summary.locator(`[data-owner="${ids[first]}"]`).getByTestId('owner-state').getAttribute('data-state');
    await expect.poll(() => stateOf('Cy')).toBe('imported');
    expect(await stateOf('Ann')).toBe('imported');
    expect(await stateOf('Bob')).toBe('skipped');
    expect(await stateOf('Dee')).toBe('excluded');
    const created = async () =>
      Number((await page.locator('[data-count=created]').textContent())?.replace(/\D/g, ''));
    await expect.poll(created).toBe(4);
    expect(await page.getByTestId('import-status').textContent()).toBe('Completed');
    await page.getByRole('textbox', { name: "Save this import's configuration" }).fill('All reps');
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await page.getByText('Saved as "All reps".').waitFor();
    expect(await page.getByRole('link', { name: 'Download it as JSON' }).getAttribute('href')).toMatch(
      /^\/api\/v1\/import-configs\/\d+$/,
    );
    expect(
      await page.getByRole('link', { name: 'Download the failure file as CSV' }).getAttribute('href'),
    ).toBe(`/api/v1/imports/${importId}/files/failure?format=csv`);
    found.push(...(await look(page, 'owners-6-summary')));

    // A record of Ann's changed after the import stays when her records are rolled back.
    const annRecords = await recordsOf(ids.Ann as number);
    expect(annRecords.items.map((r) => r.title).sort()).toEqual(['Bakery Brot', 'Café Crème']);
    const edited = annRecords.items.find((r) => r.title === 'Bakery Brot');
    await api('PATCH', `/api/v1/records/${edited?.id}`, { fields: { city: 'Meissen' } });

    await page.getByRole('button', { name: 'Roll back Ann Archer' }).click();
    const confirm = page.getByRole('dialog', { name: 'Roll back Ann Archer?' });
    expect(await confirm.textContent()).toContain('deletes the 2 records this import created for Ann Archer');
    expect(await confirm.textContent()).toContain('stay as they are');
    found.push(...(await look(page, 'owners-7-rollback-confirm')));
    await confirm.getByRole('button', { name: 'Roll back' }).click();
    const rolledBack = page.getByTestId('rollback-result');
    await rolledBack.waitFor({ timeout: 60_000 });
    await expect.poll(() => stateOf('Ann')).toBe('rolled_back');
    expect(await rolledBack.textContent()).toContain('Rolled back for Ann Archer');
    expect(await rolledBack.textContent()).toContain('1 record deleted');
    expect(await rolledBack.textContent()).toContain('1 record changed since the import');
    found.push(...(await look(page, 'owners-8-rolled-back')));

    await until(
      "Ann's records to be rolled back",
      () => recordsOf(ids.Ann as number),
      (r) => r.items.length === 1,
    );
    expect((await recordsOf(ids.Ann as number)).items[0]?.title).toBe('Bakery Brot');
    expect((await recordsOf(ids.Cy as number)).items).toHaveLength(2);
    expect((await recordsOf(ids.Bob as number)).items).toHaveLength(0);
    expect((await recordsOf(ids.Dee as number)).items).toHaveLength(0);

    expect(found).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});
