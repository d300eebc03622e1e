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
import { multipart } from '../support/upload.js';

/**
 * Records in the console: the Records page lists what an import of customers records wrote, a
 * record opens and is edited, and a user's page shows the user's records in its Records tab; at the
 * desktop and the phone size, with no serious or critical axe violation.
 */
const ADMIN = { email: 'admin@records.example', password: 'records-e2e-password-1' };
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const BLOCKING: ImpactValue[] = ['serious', 'critical'];

let server: ConsoleServer;
let browser: Browser;
let api: ApiCall;
let annId: number;

async function importRecords(target: string, csv: string): Promise<void> {
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const body = multipart(
    { target, options: '{}' },
    { name: `${target}.csv`, content: csv, type: 'text/csv' },
  );
  const res = await fetch(`${server.url}/api/v1/imports`, {
    method: 'POST',
    headers: { ...body.headers, cookie, 'x-csrf-token': csrfToken },
    body: new Uint8Array(body.payload),
  });
  const created = (await res.json()) as { id: number; status: string };
  expect(res.status, JSON.stringify(created)).toBe(201);
  await api('POST', `/api/v1/imports/${created.id}/commit`, {});
  await until(
    `import ${created.id} to finish`,
    () => api<{ status: string }>('GET', `/api/v1/imports/${created.id}`),
    (i) => i.status === 'completed',
  );
}

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

/** Screenshots and axe at both sizes. */
async function look(page: Page, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const size of [DESKTOP, PHONE]) {
    await resize(page, size);
    await shot(page, name);
    found.push(...(await audit(page)).map((v) => `${name} at ${size.width}: ${v}`));
  }
  await resize(page, DESKTOP);
  return found;
}

beforeAll(async () => {
  server = await startConsoleServer(ADMIN);
  api = await apiSession(server.url, ADMIN);
  const acme = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Acme Field Sales' });
  annId = (
    await api<{ id: number }>('POST', '/api/v1/users', {
      email: 'ann.archer@example.com',
      firstName: 'Ann',
      lastName: 'Archer',
      customerId: acme.id,
      employeeNumber: '00123',
    })
  ).id;
  await api('POST', '/api/v1/users', {
    email: 'bob.baker@example.com',
    firstName: 'Bob',
    lastName: 'Baker',
    customerId: acme.id,
  });
  await importRecords(
    'customers',
    'Rep email,Customer number,Name,City\nann.archer@example.com,1001,Bakery Brot,Dresden\nann.archer@example.com,1002,Café Crème,Leipzig\nbob.baker@example.com,2001,Bob’s Bikes,Berlin\n',
  );
  await importRecords(
    'appointments',
    'Employee no,External ID,Subject,Start,End,Customer number\n00123,A-1,Quarterly visit,2027-03-01 09:00,2027-03-01 10:00,1001\n',
  );
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  server?.stop();
});

describe('records in the console', () => {
  it('lists imported records, opens and edits one, and shows a user’s records in a tab', async () => {
    // axe's script is added to the page: allowed past the console's Content-Security-Policy.
    const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce', bypassCSP: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server.url, ADMIN);
    const found: string[] = [];

    await page.goto(`${server.url}/records`);
    const table = page.getByTestId('records-table');
    await table.getByText('Bakery Brot').waitFor();
    await expect(table.getByText('Quarterly visit').count()).resolves.toBe(1);
    await expect(table.locator('tbody tr').count()).resolves.toBe(4);
    found.push(...(await look(page, 'records-list')));

    await table.getByRole('link', { name: 'Bakery Brot' }).click();
    await page.waitForURL('**/records/*');
    const city = page.getByRole('textbox', { name: 'City' });
    await expect(city.inputValue()).resolves.toBe('Dresden');
    found.push(...(await look(page, 'record-page')));
    await city.fill('Meissen');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const ann = await api<{
      items: { title: string; fields: Record<string, string | null>; version: number }[];
    }>('GET', `/api/v1/records?ownerUserId=${annId}&type=customers`);
    expect(ann.items.find((r) => r.title === 'Bakery Brot')).toMatchObject({
      fields: { city: 'Meissen' },
      version: 2,
    });

    await page.goto(`${server.url}/users/${annId}`);
    await page.getByRole('tab', { name: 'Records' }).click();
    const tab = page.getByTestId('records-table');
    await tab.getByText('Café Crème').waitFor();
    await expect(tab.locator('tbody tr').count()).resolves.toBe(3);
    await expect(tab.getByText('Bob’s Bikes').count()).resolves.toBe(0);
    found.push(...(await look(page, 'user-records-tab')));

    expect(found).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
