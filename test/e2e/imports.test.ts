import fs from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiSession,
  type ConsoleServer,
  launchBrowser,
  openPage,
  signIn,
  startConsoleServer,
} from '../support/browser.js';
import { importIdOf, reviewRows, shots, startImport } from '../support/wizard.js';

/**
 * The import wizard, an import's page and the history in a real browser, against a real server that
 * commits in the background: upload files with errors, fix cells in place, commit, download the
 * failure file, roll back; page and filter a 100,000-row import; a viewer cannot start one.
 */
const ADMIN = { email: 'admin@imports.example', password: 'imports-e2e-password-1' };
const VIEWER = { email: 'viewer@imports.example', password: 'imports-e2e-viewer-1' };
/** Generous bounds: the point is that the console stays usable, not a benchmark. */
const STEP_MS = 10_000;

let server: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  server = await startConsoleServer(ADMIN);
  const api = await apiSession(server.url, ADMIN);
  const acme = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Acme Logistics' });
  await api('POST', '/api/v1/roles', { name: 'Manager' });
  await api('POST', '/api/v1/roles', { name: 'Dispatcher' });
  await api('POST', '/api/v1/groups', { name: 'Field staff' });
  await api('POST', '/api/v1/users', {
    email: 'existing@acme.example',
    firstName: 'Erin',
    lastName: 'Existing',
    customerId: acme.id,
  });
  await api('POST', '/api/v1/admins', { ...VIEWER, name: 'Vera Viewer', role: 'viewer' });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

async function downloaded(download: Download): Promise<Buffer> {
  const file = await download.path();
  return fs.readFileSync(file);
}

/** Performs `action` and returns what the browser downloaded because of it. */
async function download(page: Page, action: () => Promise<void>): Promise<{ name: string; body: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), action()]);
  return { name: file.suggestedFilename(), body: await downloaded(file) };
}

/** Resolves within `ms` or fails the test with what was awaited. */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('import wizard', () => {
  it('imports a CSV with errors: template, upload, map, options, review, fix two cells, commit, failure file, rollback', async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, ADMIN, '/imports');
    await page.getByRole('main').getByRole('link', { name: 'New import' }).click();
    await page.waitForURL('**/imports/new');

    // 1. Target and customer.
    await expect
      .poll(() => page.getByRole('radio', { name: 'Portal users', exact: true }).first().isChecked())
      .toBe(true);
    await page.getByRole('combobox', { name: 'Customer' }).click();
    await page.getByRole('option', { name: 'Acme Logistics' }).click();
    await shots(page, 'import-1-target');
    await page.getByRole('button', { name: 'Next: template' }).click();

    // 2. The template, with the existing users in it.
    await page.getByRole('checkbox', { name: 'Include existing users' }).check();
    await shots(page, 'import-2-template');
    const template = await download(page, () =>
      page.getByRole('link', { name: 'Download template (CSV)' }).click(),
    );
    expect(template.name).toMatch(/\.csv$/);
    const templateRows = Papa.parse<string[]>(template.body.toString('utf8').replace(/^\uFEFF/, '')).data;
    expect(templateRows[0]).toContain('Email');
    expect(templateRows[1]?.join(' ')).toContain('Required');
    expect(template.body.toString('utf8')).toContain('existing@acme.example');
    await page.getByRole('button', { name: 'Next: upload' }).click();

    // 3. Upload: limits up front; a file that is not a table is refused with the server's reason.
    const limits = (await page.getByRole('list', { name: 'Limits' }).textContent()) ?? '';
    expect(limits).toContain('Largest file: 20 MB');
    expect(limits).toContain('100,000');
    await shots(page, 'import-3-upload');
    await page.locator('input[type=file]').setInputFiles({
      name: 'photo.png',
      mimeType: 'image/png',
      buffer: Buffer.from([
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
      ]),
    });
    const refused = page.getByTestId('upload-error');
    await refused.waitFor();
    expect((await refused.textContent())?.length).toBeGreaterThan(30);
    await shots(page, 'import-3-upload-refused');

    const csv = stringify([
      ['E-mail address', 'First name', 'Last name', 'Roles', 'Notes'],
      ['ann@acme.example', 'Ann', 'Archer', 'Manager', 'ok'],
      ['not-an-email', 'Bob', 'Baker', '', 'bad email'],
      ['cy@acme.example', 'Cy', 'Cole', 'manager', 'role in the wrong case'],
      ['ANN@acme.example', 'Ann', 'Again', '', 'duplicate of row 2'],
      ['existing@acme.example', 'Erin', 'Updated', 'Dispatcher', 'updates a user'],
      ['dee@acme.example', 'Dee', 'Dunn', 'Dispatchr', 'typo, left as is'],
    ]);
    await page.locator('input[type=file]').setInputFiles({
      name: 'people.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.waitForURL(/\/imports\/\d+\?step=map/);
    const importId = importIdOf(page);

    // 4. Mapping: matched as a known synonym, the unknown column ignored.
    const mapping = page.getByTestId('mapping-table');
    await mapping.waitFor();
    const mappingText = (await mapping.textContent()) ?? '';
    expect(mappingText).toContain('synonym');
    expect(mappingText).toContain('Ignored');
    expect(
      await page.getByRole('combobox', { name: 'Field for column E-mail address' }).inputValue(),
    ).toMatch(/Email/);
    await shots(page, 'import-4-map');
    // Unmapping the email blocks the import until it is mapped again.
    await page.getByRole('combobox', { name: 'Field for column E-mail address' }).click();
    await page.getByRole('option', { name: 'Ignore this column' }).click();
    await page.getByTestId('missing-required').waitFor();
    expect(await page.getByRole('button', { name: /continue/ }).isDisabled()).toBe(true);
    await page.getByRole('combobox', { name: 'Field for column E-mail address' }).click();
    await page.getByRole('option', { name: /^Email/ }).click();
    await page.getByRole('textbox', { name: 'Save this mapping and its options as' }).fill('Acme people');
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await page.getByText('Saved as "Acme people".').waitFor();
    await page.getByRole('button', { name: 'Next: options' }).click();
    await page.waitForURL('**?step=options');

    // 5. Options: invitations with their expected send time at the configured rate.
    await page.getByRole('switch', { name: 'Send activation emails to new users' }).check();
    await expect
      .poll(() => page.getByTestId('invite-estimate').textContent())
      .toMatch(/emails?: sending takes about .* at 120 per minute/);
    await page.getByRole('radio', { name: 'Assign groups to every row' }).check();
    await page.getByRole('combobox', { name: 'Groups to assign' }).click();
    await page.getByRole('option', { name: 'Field staff' }).click();
    await page.keyboard.press('Escape');
    await shots(page, 'import-5-options');
    await page.getByRole('radio', { name: "Take them from the file's columns" }).check();
    await page.getByRole('button', { name: 'Next: review' }).click();
    await page.waitForURL('**?step=review');

    // 6. Review: an icon on every bad cell, its message in a tooltip.
    await expect.poll(() => reviewRows(page).count()).toBe(6);
    const errorIcons = page.getByTestId('cell-error');
    expect(await errorIcons.count()).toBeGreaterThanOrEqual(4);
    const typo = page.locator('[data-testid=cell-error][data-code~="role.unknown"]').last();
    await typo.hover();
    await expect.poll(() => page.getByRole('tooltip').textContent()).toMatch(/Dispatcher/);
    await shots(page, 'import-6-review');
    await page.mouse.move(0, 0);

    // Filters with counts.
    await page.getByText(/^Errors \(4\)$/).click();
    await expect.poll(() => reviewRows(page).count()).toBe(4);
    await page.getByText(/^All \(6\)$/).click();
    await expect.poll(() => reviewRows(page).count()).toBe(6);

    // Fix two cells in place: each row is checked again at once and shown valid.
    await page.getByRole('button', { name: 'Edit Row 3, E-mail address: not-an-email' }).click();
    await page.getByRole('textbox', { name: 'New value for Row 3, E-mail address' }).fill('bob@acme.example');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('review-announce').textContent()).toBe('Row 3 is now valid.');
    await page.getByRole('button', { name: 'Edit Row 4, Roles: manager' }).click();
    await page.getByRole('textbox', { name: 'New value for Row 4, Roles' }).fill('Manager');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('review-announce').textContent()).toBe('Row 4 is now valid.');
    expect(await page.locator('#import-row-3').getAttribute('data-valid')).toBe('true');
    expect(await page.locator('#import-row-4').getAttribute('data-valid')).toBe('true');
    expect(await page.getByTestId('review-counts').textContent()).toContain('2 with errors');

    // "Next error" goes to the next bad row.
    await page.getByRole('button', { name: 'Next error' }).click();
    await expect.poll(() => page.getByTestId('review-announce').textContent()).toBe('Row 5, page 1.');
    await page.getByRole('button', { name: 'Next error' }).click();
    await expect.poll(() => page.getByTestId('review-announce').textContent()).toBe('Row 7, page 1.');
    await shots(page, 'import-6-review-fixed');

    // 7–8. Commit, progress to the end, results.
    await page.getByRole('button', { name: /^Commit 4 valid rows$/ }).click();
    await page.getByTestId('result-counts').waitFor({ timeout: 60_000 });
    const counts = async (key: string) =>
      Number((await page.locator(`[data-count=${key}]`).textContent())?.replace(/\D/g, ''));
    await expect.poll(() => counts('created')).toBe(3);
    expect(await counts('updated')).toBe(1);
    expect(await counts('failed')).toBe(2);
    expect(await page.getByTestId('import-status').textContent()).toBe('Completed');
    expect(await page.getByRole('link', { name: 'Show the users of this import' }).getAttribute('href')).toBe(
      `/users?importId=${importId}`,
    );
    await page.getByTestId('import-emails').waitFor();
    await shots(page, 'import-8-results');

    // The failure file: the original columns plus the row number and the reason, only the failed rows.
    const failure = await download(page, () =>
      page.getByRole('link', { name: 'Download the failure file as CSV' }).click(),
    );
    const failed = Papa.parse<string[]>(failure.body.toString('utf8').replace(/^\uFEFF/, ''), {
      skipEmptyLines: true,
    }).data;
    expect(failed[0]).toEqual([
      'E-mail address',
      'First name',
      'Last name',
      'Roles',
      'Notes',
      'row',
      'error',
    ]);
    expect(failed.slice(1).map((r) => r[0])).toEqual(['ANN@acme.example', 'dee@acme.example']);
    expect(failed[2]?.[6]).toMatch(/Dispatcher/);
    const failureXlsx = await download(page, () =>
      page.getByRole('link', { name: 'Download the failure file as XLSX' }).click(),
    );
    expect(failureXlsx.body.subarray(0, 2).toString()).toBe('PK');

    // A reload resumes at the same step.
    await page.reload();
    await page.getByTestId('result-counts').waitFor();

    // Roll back, with a confirmation that says what happens.
    await page.getByRole('button', { name: 'Roll back…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll back this import?' });
    expect(await dialog.textContent()).toContain('deletes the 3 users this import created');
    expect(await dialog.textContent()).toContain('restores the 1 user it updated');
    await shots(page, 'import-8-rollback-confirm');
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await page.getByTestId('rollback-result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('rollback-result').textContent()).toContain(
      '3 users deleted, 1 user restored',
    );
    expect(await page.getByTestId('import-status').textContent()).toBe('Rolled back');
    await shots(page, 'import-page');

    // The history lists it.
    await page.goto(`${server.url}/imports`);
    const history = page.getByTestId('imports-table');
    await expect.poll(() => history.textContent()).toContain('people.csv');
    expect(await history.textContent()).toContain('Rolled back');
    await shots(page, 'imports-history');
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('reads an XLSX written by ExcelJS: unknown role with a suggestion, leading zeros kept', async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, ADMIN, '/imports');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('People');
    sheet.addRow(['Email', 'First name', 'Last name', 'Roles', 'Employee number']);
    sheet.addRow(['xena@acme.example', 'Xena', 'Xu', 'Manger', '000123']);
    sheet.addRow(['yuri@acme.example', 'Yuri', 'Young', 'Manager', '000456']);
    sheet.addRow(['zoe@@acme', 'Zoe', 'Zane', '', '']);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    await startImport(page, server.url, 'Acme Logistics', {
      name: 'people.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer,
    });
    await page.getByRole('button', { name: 'Next: options' }).click();
    await page.getByRole('button', { name: 'Next: review' }).click();
    await expect.poll(() => reviewRows(page).count()).toBe(3);
    expect(await page.locator('#import-row-2').textContent()).toContain('000123');
    const suggestion = page.locator('[data-testid=cell-error][data-code~="role.unknown"]');
    await suggestion.hover();
    await expect.poll(() => page.getByRole('tooltip').textContent()).toMatch(/did you mean.*Manager/i);
    expect(await page.locator('[data-testid=cell-error][data-code~="email.invalid"]').count()).toBe(1);
    // The problem filter, by the kind of problem in words, keeps only the rows with that problem.
    await page.getByRole('combobox', { name: 'Problem' }).click();
    await page.getByRole('option', { name: 'Unknown role (1)' }).click();
    await expect.poll(() => reviewRows(page).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('reads the file again in another encoding from the mapping step: the same import, its rows read anew', async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, ADMIN, '/imports');
    // Windows-1252 bytes: é is 0xE9, which Mac Roman reads as È.
    const id = await startImport(page, server.url, 'Acme Logistics', {
      name: 'accents.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Email;First name;Last name\r\nsam@acme.example;José;Lee\r\n', 'latin1'),
    });
    const reading = page.getByTestId('file-reading');
    await expect.poll(() => reading.textContent()).toMatch(/Read as: .*Windows-1252/);
    await reading.getByRole('combobox', { name: 'Encoding' }).click();
    await page.getByRole('option', { name: 'Mac Roman' }).click();
    await within(
      STEP_MS,
      'reading the file again',
      reading.getByRole('button', { name: 'Read the file again' }).click(),
    );
    await expect.poll(() => reading.textContent(), { timeout: STEP_MS }).toMatch(/Read as: .*Mac Roman/);
    // The same import, read anew: no second upload.
    expect(importIdOf(page)).toBe(id);
    await page.getByRole('button', { name: 'Next: options' }).click();
    await page.getByRole('button', { name: 'Next: review' }).click();
    await expect.poll(() => page.locator('#import-row-2').textContent()).toContain('JosÈ');
    expect(importIdOf(page)).toBe(id);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('pages to the end of a 100,000-row import, filters it by a kind of problem, and follows its commit', async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, ADMIN, '/imports');
    const lines = ['Email,First name,Last name'];
    for (let i = 1; i <= 100_000; i++) {
      lines.push(i % 1000 === 0 ? `broken-${i},Big,Row${i}` : `big${i}@acme.example,Big,Row${i}`);
    }
    const importId = await startImport(page, server.url, 'Acme Logistics', {
      name: 'big.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${lines.join('\n')}\n`),
    });
    await page.getByRole('button', { name: 'Next: options' }).click();
    await page.getByRole('button', { name: 'Next: review' }).click();
    await page.waitForURL('**?step=review');
    await within(STEP_MS, 'the first page', expect.poll(() => reviewRows(page).count()).toBe(50));
    expect(await page.getByTestId('review-counts').textContent()).toContain('100 with errors');
    expect(await page.getByTestId('review-page').textContent()).toBe('Page 1 of 2,000');

    await page.getByRole('button', { name: 'last page' }).click();
    await within(
      STEP_MS,
      'the last page',
      expect.poll(() => page.getByTestId('review-page').textContent()).toBe('Page 2,000 of 2,000'),
    );
    await within(
      STEP_MS,
      'the last rows',
      expect.poll(() => reviewRows(page).last().getAttribute('data-row')).toBe('100001'),
    );

    await page.getByRole('combobox', { name: 'Problem' }).click();
    await page.getByRole('option', { name: 'Email not valid (100)' }).click();
    await within(
      STEP_MS,
      'the filter by error code',
      expect.poll(() => page.getByTestId('review-page').textContent()).toBe('Page 1 of 2'),
    );
    await within(STEP_MS, 'the filtered rows', expect.poll(() => reviewRows(page).count()).toBe(50));
    expect(await reviewRows(page).first().getAttribute('data-row')).toBe('1001');

    // "Next error" on another page.
    await page.getByRole('combobox', { name: 'Problem' }).click();
    await page.getByRole('option', { name: 'Email not valid (100)' }).click();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('review-page').textContent()).toBe('Page 1 of 2,000');
    await within(
      STEP_MS,
      'next error',
      (async () => {
        await page.getByRole('button', { name: 'Next error' }).click();
        await expect.poll(() => page.getByTestId('review-announce').textContent()).toBe('Row 1001, page 20.');
      })(),
    );
    await expect.poll(() => page.getByTestId('review-page').textContent()).toBe('Page 20 of 2,000');
    expect(await page.locator('#import-row-1001').getAttribute('data-valid')).toBe('false');

    // Commit: the live progress, a reload that keeps watching, then the end.
    await page.getByRole('button', { name: /^Commit 99,900 valid rows$/ }).click();
    await page.getByTestId('commit-progress').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('commit-done').textContent({ timeout: 1000 })).toMatch(
      /^[\d,]+ of [\d,]+ rows$/,
    );
    await shots(page, 'import-7-commit');
    await page.reload();
    await page
      .getByTestId('commit-progress')
      .or(page.getByTestId('result-counts'))
      .first()
      .waitFor({ timeout: 30_000 });
    await page.getByTestId('result-counts').waitFor({ timeout: 300_000 });
    expect(await page.getByTestId('import-status').textContent()).toBe('Completed');
    await expect
      .poll(async () =>
        Number((await page.locator('[data-count=created]').textContent())?.replace(/\D/g, '')),
      )
      .toBe(99_900);
    expect(page.url()).toContain(`/imports/${importId}`);
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);

  it('shows a viewer the history without a "New import" button, and "not allowed" at /imports/new', async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, VIEWER, '/imports');
    await expect.poll(() => page.getByTestId('imports-table').locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'New import' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'New import' }).count()).toBe(0);
    await page.goto(`${server.url}/imports/new`);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    await shots(page, 'imports-viewer-not-allowed');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
