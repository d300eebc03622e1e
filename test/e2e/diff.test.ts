import fs from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import Papa from 'papaparse';
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
import { importCsv } from '../support/e2e-api.js';
import { reviewRows, shots, startImport } from '../support/wizard.js';

/**
 * An update file in a real browser: each row's before → after in the review, the updates that
 * change nothing counted and filtered apart, the first rows tried before the rest, the success
 * file's changes column, and the same diff on the user's history tab.
 */
const ADMIN = { email: 'admin@diff.example', password: 'diff-e2e-password-1' };

let server: ConsoleServer;
let browser: Browser;
let api: ApiCall;

beforeAll(async () => {
  server = await startConsoleServer(ADMIN);
  api = await apiSession(server.url, ADMIN);
  const acme = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Acme Logistics' });
  await api('POST', '/api/v1/roles', { name: 'Manager' });
  await api('POST', '/api/v1/roles', { name: 'Engineer' });
  const done = await importCsv(
    server.url,
    ADMIN,
    api,
    stringify([
      ['Email', 'First name', 'Last name', 'Roles'],
      ['ann@acme.example', 'Ann', 'Smith', 'Manager'],
      ['bob@acme.example', 'Bob', 'Jones', 'Manager'],
      ['cy@acme.example', 'Cy', 'Cole', ''],
    ]),
    { customerId: acme.id, mode: 'upsert' },
  );
  expect(done.status).toBe('completed');
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

describe('the diff of an update file', () => {
  it('shows each update before → after, counts and filters those that change nothing, tries the first rows, and writes the changes', async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, ADMIN, '/imports');
    const file = stringify([
      ['Email', 'First name', 'Last name', 'Roles'],
      ['ann@acme.example', 'Ann', 'Smyth', '+Engineer'],
      ['bob@acme.example', 'Bob', 'Jones', 'Manager'],
      ['cy@acme.example', 'Cyril', 'Cole', 'Engineer'],
      ['dee@acme.example', 'Dee', 'Dunn', ''],
    ]);
    const id = await startImport(page, server.url, 'Acme Logistics', {
      name: 'changes.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(file),
    });
    await page.getByRole('button', { name: 'Next: options' }).click();
    // The options step counts updates as will change and unchanged.
    await expect
      .poll(() => page.getByTestId('planned').textContent())
      .toBe('Will create 1, change 2, leave 1 unchanged, skip 0');
    await page.getByRole('button', { name: 'Next: review' }).click();
    await page.waitForURL('**?step=review');
    await expect.poll(() => reviewRows(page).count()).toBe(4);
    const headers = await page.getByTestId('review-table').locator('thead th').allTextContents();
    expect(headers.slice(0, 5)).toEqual(['Row', 'Status', 'Email', 'Issues', 'Changes']);
    const changes = (row: number) => page.locator(`#import-row-${row}`).getByTestId('row-changes');
    expect(await changes(2).textContent()).toBe('Last name: Smith → SmythRoles: +Engineer ');
    expect(await changes(3).textContent()).toBe('No change');
    expect(await changes(4).textContent()).toBe('First name: Cy → CyrilRoles: +Engineer ');
    expect(await page.locator('#import-row-5').getByTestId('row-changes').count()).toBe(0);
    expect(await page.getByTestId('planned').textContent()).toBe(
      'Will create 1, change 2, leave 1 unchanged, skip 0',
    );
    await shots(page, 'diff-1-review');

    // Rows that change nothing, on their own.
    await page.getByText('Change nothing (1)').click();
    await expect.poll(() => reviewRows(page).count()).toBe(1);
    expect(await reviewRows(page).first().getAttribute('data-row')).toBe('3');
    await shots(page, 'diff-2-unchanged');
    await page.getByText('All (4)').click();

    // The first two rows first: the import waits, partly committed, with the rest to commit.
    await page.getByTestId('try-first').click({ force: true });
    await page.getByRole('textbox', { name: 'Rows to try first' }).fill('2');
    await page.getByRole('button', { name: 'Commit the first 2 rows' }).click();
    const partly = page.getByTestId('partly-committed');
    await partly.waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-status').textContent()).toBe('Partly imported');
    await shots(page, 'diff-3-first-rows');
    await partly.getByRole('button', { name: 'Commit the remaining 2 rows' }).click();
    await expect
      .poll(() => page.getByTestId('import-status').textContent(), { timeout: 60_000 })
      .toBe('Completed');
    await page.getByTestId('result-counts').waitFor();

    // The success file: what each update changed.
    const success = await page.request.get(`${server.url}/api/v1/imports/${id}/files/success?format=csv`);
    const lines = Papa.parse<string[]>((await success.text()).replace(/^\uFEFF/, ''), {
      skipEmptyLines: true,
    }).data;
    const at = lines[0]!.indexOf('changes');
    expect(lines.slice(1).map((l) => [l[0], l[at]])).toEqual([
      ['ann@acme.example', 'last_name: Smith → Smyth; roles: +Engineer'],
      ['bob@acme.example', ''],
      ['cy@acme.example', 'first_name: Cy → Cyril; roles: +Engineer'],
      ['dee@acme.example', ''],
    ]);
    fs.writeFileSync('test-output/diff-success.csv', await success.body());

    // The user's history says the same.
    const ann = (await api<{ items: { id: number }[] }>('GET', '/api/v1/users?q=ann@acme.example')).items[0]!;
    await page.goto(`${server.url}/users/${ann.id}`);
    await page.getByRole('tab', { name: 'History' }).click();
    const history = page.getByTestId('user-history');
    await expect
      .poll(() => history.getByTestId('row-changes').first().textContent())
      .toBe('Last name: Smith → SmythRoles: +Engineer ');
    // Once: on the end of the commit that wrote the row (the first part), not on the later one too.
    expect(await history.getByTestId('row-changes').count()).toBe(1);
    await shots(page, 'diff-4-history');
    expect(errors).toEqual([]);
    await context.close();
  });
});
