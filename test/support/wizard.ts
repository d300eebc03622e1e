import type { Page } from 'playwright-core';
import { DESKTOP, PHONE, resize, shot } from './browser.js';

/** Steps of the import wizard that more than one browser test takes. */

export interface UploadedFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** A screenshot at the desktop size and at the phone size, back to the desktop afterwards. */
export async function shots(page: Page, name: string): Promise<void> {
  // A full-page screenshot of a scrolled page draws the fixed header halfway down.
  await page.mouse.wheel(0, -100_000);
  await resize(page, DESKTOP);
  await shot(page, name);
  await resize(page, PHONE);
  await shot(page, name);
  await resize(page, DESKTOP);
}

export const reviewRows = (page: Page) => page.getByTestId('review-table').locator('tbody tr');

/** The import's id from the address of one of its steps. */
export function importIdOf(page: Page): number {
  const match = /\/imports\/(\d+)/.exec(page.url());
  if (!match) throw new Error(`not an import's page: ${page.url()}`);
  return Number(match[1]);
}

/**
 * Goes through the first three steps for `customer` and uploads a file; lands on the mapping step
 * and returns the import's id.
 */
export async function startImport(
  page: Page,
  url: string,
  customer: string,
  file: UploadedFile,
): Promise<number> {
  await page.goto(`${url}/imports/new`);
  await page.getByRole('combobox', { name: 'Customer' }).click();
  await page.getByRole('option', { name: customer }).click();
  await page.getByRole('button', { name: 'Next: template' }).click();
  await page.getByRole('button', { name: 'Next: upload' }).click();
  await page.locator('input[type=file]').setInputFiles(file);
  await page.waitForURL(/\/imports\/\d+\?step=map/, { timeout: 120_000 });
  return importIdOf(page);
}
