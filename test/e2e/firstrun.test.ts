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
import { importCsv, uploadCsv } from '../support/e2e-api.js';
import { shots } from '../support/wizard.js';

/**
 * The first-run checklist on the console's home page (every step open on a fresh server, ticked as
 * things are set up, gone when all are done), where invitation mail goes in the import options,
 * and the users list and the review's rows as cards on a phone.
 */
const ADMIN = { email: 'admin@firstrun.example', password: 'firstrun-e2e-password-1' };

let server: ConsoleServer;
let browser: Browser;
let api: ApiCall;

beforeAll(async () => {
  server = await startConsoleServer(ADMIN);
  api = await apiSession(server.url, ADMIN);
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

const stepState = (page: Page, id: string) => page.getByTestId(`setup-step-${id}`).getAttribute('data-done');
const stepStates = async (page: Page) => {
  const out: Record<string, string | null> = {};
  for (const id of ['portalName', 'mailSender', 'customer', 'roles', 'firstImport'])
    out[id] = await stepState(page, id);
  return out;
};
/** How far the page scrolls sideways: 0 when everything fits the screen's width. */
const sideways = (page: Page) =>
  page.evaluate<number>('document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth');

describe('first run', () => {
  it('shows every step open on a fresh server, each linking to its page, and the empty users list on a phone', async () => {
    const { context, page, errors } = await auditedPage();
    await signIn(page, server.url, ADMIN);
    const checklist = page.getByTestId('setup-checklist');
    await expect.poll(() => checklist.isVisible()).toBe(true);
    expect(await stepStates(page)).toEqual({
      portalName: 'false',
      mailSender: 'false',
      customer: 'false',
      roles: 'false',
      firstImport: 'false',
    });
    expect(await page.getByTestId('setup-progress').textContent()).toBe('0 of 5 done');
    await shots(page, 'firstrun-fresh');

    await resize(page, PHONE);
    const empty = page.getByTestId('users-empty');
    await empty.scrollIntoViewIfNeeded();
    expect(await empty.textContent()).toBe('No users yet.');
    const box = (await empty.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    expect(await sideways(page)).toBe(0);
    await resize(page, DESKTOP);
    expect(await audit(page)).toEqual([]);

    await checklist.getByRole('link', { name: 'Open customers' }).click();
    await page.waitForURL('**/customers');
    await page.goBack();
    await checklist.getByRole('link', { name: 'Open portal roles' }).click();
    await page.waitForURL('**/roles');
    await page.goBack();
    await checklist.getByRole('link', { name: 'Start an import' }).click();
    await page.waitForURL('**/imports/new?target=users');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('ticks the steps done, says where invitation mail goes, and shows review rows and users as cards on a phone', async () => {
    await api('PATCH', '/api/v1/settings', { portalName: 'Acme Portal' });
    const acme = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Acme Logistics' });
    await api('POST', '/api/v1/roles', { name: 'Dispatcher' });

    const { context, page, errors } = await auditedPage();
    await signIn(page, server.url, ADMIN);
    await expect.poll(() => stepState(page, 'roles')).toBe('true');
    expect(await stepStates(page)).toEqual({
      portalName: 'true',
      mailSender: 'false',
      customer: 'true',
      roles: 'true',
      firstImport: 'false',
    });
    expect(await page.getByTestId('setup-progress').textContent()).toBe('3 of 5 done');

    // A file whose rows name a role that does not exist: every row fails, with a suggestion.
    const lines = ['Email,First name,Last name,Site,Roles,Employee number'];
    for (let i = 0; i < 6; i++)
      lines.push(
        `person${i}@acme.example,Person,Number ${i} with a rather long last name,HQ,dispatcher,E-${i}`,
      );
    const staged = await uploadCsv(server.url, ADMIN, `${lines.join('\n')}\n`, { customerId: acme.id });

    await page.goto(`${server.url}/imports/${staged.id}?step=options`);
    await page.getByRole('switch', { name: 'Send activation emails to new users' }).check();
    const destination = page.getByTestId('invite-destination');
    await expect.poll(() => destination.textContent()).toContain('local mailbox');
    await api('POST', '/api/v1/mail/pause', {});
    await page.reload();
    await page.getByRole('switch', { name: 'Send activation emails to new users' }).check();
    await expect.poll(() => destination.textContent()).toContain('Sending is paused');
    await api('POST', '/api/v1/mail/resume', {});
    await shots(page, 'firstrun-options-mail');

    await page.goto(`${server.url}/imports/${staged.id}?step=map`);
    await resize(page, PHONE);
    const selects = page.getByTestId('mapping-table').getByRole('combobox');
    await expect.poll(() => selects.count()).toBeGreaterThan(0);
    for (const select of await selects.all()) {
      const b = (await select.boundingBox())!;
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(PHONE.width);
    }
    expect(await sideways(page)).toBe(0);
    // An open list of fields fits the screen too.
    await selects.first().click();
    const listbox = page.getByRole('listbox');
    await listbox.waitFor();
    const list = (await listbox.boundingBox())!;
    expect(list.x).toBeGreaterThanOrEqual(0);
    expect(list.x + list.width).toBeLessThanOrEqual(PHONE.width);
    await page.keyboard.press('Escape');
    await resize(page, DESKTOP);
    await shots(page, 'firstrun-mapping');

    await page.goto(`${server.url}/imports/${staged.id}?step=review`);
    await resize(page, PHONE);
    const cards = page.getByTestId('review-cards').locator(':scope > li');
    await expect.poll(() => cards.count()).toBe(6);
    const first = cards.first();
    expect(await first.getAttribute('data-valid')).toBe('false');
    expect(await first.textContent()).toContain('Did you mean "Dispatcher"?');
    expect(await sideways(page)).toBe(0);
    expect(await audit(page)).toEqual([]);
    await shots(page, 'firstrun-review');

    await importCsv(server.url, ADMIN, api, people(), { customerId: acme.id });
    await page.goto(`${server.url}/users`);
    await expect.poll(() => stepState(page, 'firstImport')).toBe('true');
    // The sender is set in the environment only, so the checklist stays until it is.
    expect(await page.getByTestId('setup-checklist').isVisible()).toBe(true);
    await resize(page, PHONE);
    const userCards = page.getByTestId('users-cards').locator(':scope > li');
    await expect.poll(() => userCards.count()).toBe(3);
    expect(await sideways(page)).toBe(0);
    expect(await audit(page)).toEqual([]);
    await shots(page, 'firstrun-users');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('is gone once every step is done', async () => {
    const ready = await startConsoleServer(ADMIN, { MAIL_FROM: 'Acme Portal <portal@acme.example>' });
    try {
      const call = await apiSession(ready.url, ADMIN);
      await call('PATCH', '/api/v1/settings', { portalName: 'Acme Portal' });
      const acme = await call<{ id: number }>('POST', '/api/v1/customers', { name: 'Acme Logistics' });
      await call('POST', '/api/v1/roles', { name: 'Dispatcher' });
      await importCsv(ready.url, ADMIN, call, people(), { customerId: acme.id });
      expect((await call<{ complete: boolean }>('GET', '/api/v1/setup')).complete).toBe(true);

      const { context, page, errors } = await auditedPage();
      await signIn(page, ready.url, ADMIN);
      await expect.poll(() => page.getByTestId('users-total').textContent()).toBe('3 users');
      expect(await page.getByTestId('setup-checklist').count()).toBe(0);
      await shots(page, 'firstrun-done');
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      ready.stop();
    }
  });
});

function people(): string {
  return 'Email,First name,Last name\nada@acme.example,Ada,Lovelace\ngrace@acme.example,Grace,Hopper\nalan@acme.example,Alan,Turing\n';
}
