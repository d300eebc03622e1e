import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue, RunOptions } from 'axe-core';
import { stringify } from 'csv-stringify/sync';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { reviewRows, startImport } from '../support/wizard.js';

/**
 * axe-core on the main pages of the console and the portal, in light and dark mode, at the desktop
 * and the phone size: no serious or critical violation of the WCAG 2.1 A/AA rules. And the wizard's
 * mapping, options and cell fixes done with the keyboard alone.
 */
const ADMIN = { email: 'admin@a11y.example', password: 'a11y-e2e-password-1' };
const ACTIVE = 'grace.hopper@example.com';
const INVITED = 'alan.kay@example.com';
const PASSWORD = 'compiler cobol 1959 nanosecond';
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING: ImpactValue[] = ['serious', 'critical'];
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

type Scheme = 'light' | 'dark';

interface Violation {
  id: string;
  impact: ImpactValue | undefined;
  help: string;
  targets: string[];
}

interface Ids {
  customer: number;
  user: number;
  inReview: number;
  done: number;
}

let server: ConsoleServer;
let browser: Browser;
let api: ApiCall;
let ids: Ids;
let activationLink: string;

/** The address in an email's plain text that leads to `path`. */
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

beforeAll(async () => {
  server = await startConsoleServer(ADMIN, { MAIL_POLL_SECONDS: '0.2' });
  api = await apiSession(server.url, ADMIN);
  const acme = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Acme Logistics' });
  await api('POST', '/api/v1/roles', { name: 'Field agent' });
  await api('POST', '/api/v1/groups', { name: 'North team' });
  const done = await importCsv(
    server.url,
    ADMIN,
    api,
    `Email,First name,Last name,Roles,Groups\n${ACTIVE},Grace,Hopper,Field agent,North team\n${INVITED},Alan,Kay,,\n`,
    { customerId: acme.id, targetOptions: { sendInvites: true } },
  );
  expect(done.status).toBe('completed');
  // An import left in review, with bad cells to show.
  const inReview = await uploadCsv(
    server.url,
    ADMIN,
    'Email,First name,Last name,Roles\nnot-an-email,Bad,Row,\nada@example.com,Ada,Lovelace,Field agnt\nlin@example.com,Lin,Wei,Field agent\n',
    { customerId: acme.id },
    'review.csv',
  );
  const found = await api<{ items: { id: number }[] }>('GET', `/api/v1/users?q=${ACTIVE}`);
  ids = { customer: acme.id, user: found.items[0]!.id, inReview: inReview.id, done: done.id };

  // Grace activates her account (for the portal's home); Alan's link stays unused for its page.
  const graceLink = await linkInMail(ACTIVE, '/activate');
  const token = new URL(graceLink).searchParams.get('token');
  const activated = await fetch(`${server.url}/api/v1/portal/activate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, password: PASSWORD }),
  });
  expect(activated.status).toBe(200);
  activationLink = await linkInMail(INVITED, '/activate');
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

/** A browser context in the colour scheme the console remembers, set before the first paint. */
async function schemeContext(
  scheme: Scheme,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  // Without transitions, so that axe measures colours at rest rather than halfway through a fade.
  // The console's CSP forbids inline script, which is how axe is put into the page: the test's
  // own script is let through (the server's headers are checked in security.headers.test.ts).
  const context = await browser.newContext({
    viewport: DESKTOP,
    reducedMotion: 'reduce',
    colorScheme: scheme,
    bypassCSP: true,
  });
  // Guarded: the script runs in the mailbox's sandboxed message frame too, which has no storage.
  await context.addInitScript(
    `try { localStorage.setItem('mantine-color-scheme-value', '${scheme}') } catch {}`,
  );
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

/** Runs axe on the page as it is and returns its serious and critical WCAG 2.1 A/AA violations. */
async function audit(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) {
    await page.addScriptTag({ path: AXE_SCRIPT });
  }
  const options: RunOptions = { runOnly: { type: 'tag', values: WCAG_TAGS }, resultTypes: ['violations'] };
  const violations = await page.evaluate(async (runOptions) => {
    // axe-core's script defines a global `axe`; its types describe the module, not the window.
    const { axe } = globalThis as unknown as { axe: { run: (o: RunOptions) => Promise<AxeResults> } };
    const results = await axe.run(runOptions);
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? undefined,
      help: v.help,
      targets: v.nodes.map((n) => {
        const where = n.target.map(String).join(' >>> ');
        // For contrast, the colours measured say more than the selector.
        const colours = n.any[0]?.data as {
          fgColor?: string;
          bgColor?: string;
          contrastRatio?: number;
        } | null;
        const measured = colours?.fgColor
          ? ` [${colours.fgColor} on ${colours.bgColor}: ${colours.contrastRatio}]`
          : '';
        return `${where}${measured} ${n.html.slice(0, 160)}`;
      }),
    }));
  }, options);
  return violations.filter((v) => v.impact && BLOCKING.includes(v.impact));
}

/** Audits the page at both sizes; records what it finds under `name`. */
async function auditBothSizes(page: Page, name: string, found: string[]): Promise<void> {
  for (const size of [DESKTOP, PHONE]) {
    await resize(page, size);
    for (const v of await audit(page)) {
      found.push(
        `${name} at ${size.width}×${size.height}: ${v.id} (${v.impact}) ${v.help}\n    ${v.targets.join('\n    ')}`,
      );
    }
  }
  await page.setViewportSize(DESKTOP);
}

const visible = (page: Page, testId: string) => page.getByTestId(testId).first().waitFor();

/** The console's pages, each opened and waited for until it shows its data. */
function consolePages(url: string): [string, (page: Page) => Promise<void>][] {
  const review = `${url}/imports/${ids.inReview}`;
  return [
    [
      'users list',
      async (page) => {
        await page.goto(`${url}/users`);
        await expect.poll(() => page.getByTestId('users-table').textContent()).toContain(ACTIVE);
      },
    ],
    [
      "a user's page",
      async (page) => {
        await page.goto(`${url}/users/${ids.user}`);
        await page.getByRole('heading', { name: 'Grace Hopper' }).waitFor();
      },
    ],
    [
      'wizard: upload',
      async (page) => {
        await page.goto(`${url}/imports/new`);
        await page.getByRole('combobox', { name: 'Customer' }).click();
        await page.getByRole('option', { name: 'Acme Logistics' }).click();
        await page.getByRole('button', { name: 'Next: template' }).click();
        await page.getByRole('button', { name: 'Next: upload' }).click();
        await page.getByRole('list', { name: 'Limits' }).waitFor();
      },
    ],
    [
      'wizard: map',
      async (page) => {
        await page.goto(`${review}?step=map`);
        await visible(page, 'mapping-table');
      },
    ],
    [
      'wizard: options',
      async (page) => {
        await page.goto(`${review}?step=options`);
        await page.getByRole('switch', { name: 'Send activation emails to new users' }).waitFor();
      },
    ],
    [
      'wizard: review',
      async (page) => {
        await page.goto(`${review}?step=review`);
        await visible(page, 'cell-error');
      },
    ],
    [
      'import results',
      async (page) => {
        await page.goto(`${url}/imports/${ids.done}`);
        await visible(page, 'result-counts');
        await visible(page, 'import-emails');
      },
    ],
    [
      'import results: the rollback confirmation open',
      async (page) => {
        await page.goto(`${url}/imports/${ids.done}`);
        await page.getByRole('button', { name: 'Roll back…' }).click();
        await page.getByRole('dialog', { name: 'Roll back this import?' }).waitFor();
      },
    ],
    [
      "a user's page: the disable confirmation open",
      async (page) => {
        await page.goto(`${url}/users/${ids.user}`);
        await page.getByRole('button', { name: 'Disable', exact: true }).click();
        await page.getByRole('dialog', { name: 'Disable Grace Hopper?' }).waitFor();
      },
    ],
    [
      'users list: a filter list open',
      async (page) => {
        await page.goto(`${url}/users`);
        await page.getByRole('combobox', { name: 'Status' }).click();
        await page.getByRole('listbox').waitFor();
      },
    ],
    [
      'the notifications open',
      async (page) => {
        await page.goto(`${url}/users`);
        await page.getByRole('button', { name: /^Notifications/ }).click();
        await page.getByRole('dialog', { name: 'Notifications' }).waitFor();
      },
    ],
    [
      'roles: the new role form open',
      async (page) => {
        await page.goto(`${url}/roles`);
        await page.getByRole('button', { name: 'New role' }).click();
        await page.getByRole('dialog', { name: 'New role' }).getByRole('textbox', { name: 'Name' }).waitFor();
      },
    ],
    [
      'roles: a delete confirmation open',
      async (page) => {
        await page.goto(`${url}/roles`);
        await page.getByRole('button', { name: 'Delete Field agent' }).click();
        await page
          .getByRole('dialog')
          .getByRole('button', { name: /delete/i })
          .last()
          .waitFor();
      },
    ],
    [
      'customers',
      async (page) => {
        await page.goto(`${url}/customers`);
        await expect
          .poll(() => page.getByTestId('customers-table').textContent())
          .toContain('Acme Logistics');
      },
    ],
    [
      "a customer's page",
      async (page) => {
        await page.goto(`${url}/customers/${ids.customer}`);
        await page.getByRole('heading', { name: 'Acme Logistics' }).first().waitFor();
        await visible(page, 'sites-table');
      },
    ],
    [
      'settings',
      async (page) => {
        await page.goto(`${url}/settings`);
        await page.getByRole('textbox', { name: 'Portal name' }).waitFor();
      },
    ],
    [
      'admins',
      async (page) => {
        await page.goto(`${url}/admins`);
        await expect.poll(() => page.getByTestId('admins-table').textContent()).toContain(ADMIN.email);
      },
    ],
    [
      'API tokens',
      async (page) => {
        await page.goto(`${url}/tokens`);
        await visible(page, 'tokens-table');
      },
    ],
    [
      'outbox',
      async (page) => {
        await page.goto(`${url}/mail/outbox`);
        await expect.poll(() => page.getByTestId('outbox-table').textContent()).toContain(INVITED);
      },
    ],
    [
      'mailbox, a message open',
      async (page) => {
        await page.goto(`${url}/mail/mailbox`);
        await page.getByTestId('mailbox-list').getByRole('button').first().click();
        await visible(page, 'message-html');
      },
    ],
  ];
}

describe('accessibility (axe-core, WCAG 2.1 A/AA)', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`finds no serious or critical violation on the console and the portal in ${scheme} mode`, async () => {
      const found: string[] = [];
      const { context, page, errors } = await schemeContext(scheme);

      await page.goto(`${server.url}/login`);
      await page.getByRole('textbox', { name: 'Email' }).waitFor();
      await auditBothSizes(page, 'sign-in', found);
      await signIn(page, server.url, ADMIN);
      expect(await page.locator('html').getAttribute('data-mantine-color-scheme')).toBe(scheme);
      for (const [name, open] of consolePages(server.url)) {
        await open(page);
        await auditBothSizes(page, name, found);
      }

      // The portal, as the person sees it: activation, sign-in, home.
      const portal = await schemeContext(scheme);
      await portal.page.goto(activationLink);
      await portal.page.getByTestId('link-email').waitFor();
      expect(await portal.page.locator('html').getAttribute('data-mantine-color-scheme')).toBe(scheme);
      await portal.page.getByLabel(/^New password\s*\*?$/).fill('short');
      await auditBothSizes(portal.page, 'portal activation', found);
      await portal.page.goto(`${server.url}/portal/login`);
      await portal.page.getByRole('textbox', { name: 'Email or username' }).waitFor();
      await auditBothSizes(portal.page, 'portal sign-in', found);
      await portal.page.getByRole('textbox', { name: 'Email or username' }).fill(ACTIVE);
      await portal.page.getByLabel(/^Password\s*\*?$/).fill(PASSWORD);
      await portal.page.getByRole('button', { name: 'Sign in' }).click();
      await portal.page.waitForURL('**/portal');
      await expect.poll(() => portal.page.getByTestId('portal-profile').textContent()).toContain(ACTIVE);
      await auditBothSizes(portal.page, 'portal home', found);

      expect(found, `${found.length} accessibility violations:\n${found.join('\n')}`).toEqual([]);
      expect([...errors, ...portal.errors]).toEqual([]);
      await portal.context.close();
      await context.close();
    }, 240_000);
  }
});

/** Presses Tab until `target` has the focus. */
async function tabTo(page: Page, target: Locator, most = 80): Promise<void> {
  for (let presses = 0; presses < most; presses++) {
    if ((await target.and(page.locator(':focus')).count()) === 1) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${most} presses of Tab never reached ${target}`);
}

const focused = (page: Page) => page.locator(':focus');

describe('the wizard with the keyboard alone', () => {
  it('maps a column, sets the options, and fixes a cell with Enter and Escape', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server.url, ADMIN, '/imports');
    // A header no synonym knows: the email column must be mapped by hand.
    const csv = stringify([
      ['Reach me at', 'First name', 'Last name'],
      ['kay@acme.example', 'Kay', 'Board'],
      ['not-an-email', 'Lee', 'Keys'],
    ]);
    await startImport(page, server.url, 'Acme Logistics', {
      name: 'keyboard.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });

    // Mapping: pick "Email" for the column from the dropdown, with arrows and Enter.
    await page.getByTestId('missing-required').waitFor();
    const field = page.getByRole('combobox', { name: 'Field for column Reach me at' });
    await tabTo(page, field);
    await page.keyboard.press('ArrowDown');
    await page.getByRole('listbox').waitFor();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('Email');
    // The list filters as the text is typed; wait until it has, or the arrow lands on an old option.
    const email = page.getByRole('option', { name: 'Email (required)', exact: true });
    await email.waitFor();
    await expect.poll(() => page.getByRole('listbox').getByRole('option').count()).toBe(1);
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => email.and(page.locator('[data-combobox-selected]')).count()).toBe(1);
    await page.keyboard.press('Enter');
    await expect.poll(() => field.inputValue()).toBe('Email (required)');
    await expect.poll(() => page.getByTestId('missing-required').count()).toBe(0);
    await tabTo(page, page.getByRole('button', { name: 'Apply mapping and continue' }));
    await page.keyboard.press('Enter');
    await page.waitForURL('**?step=options');

    // Options: a switch with Space, a radio group with the arrows, on with Enter.
    const invite = page.getByRole('switch', { name: 'Send activation emails to new users' });
    await tabTo(page, invite);
    await page.keyboard.press('Space');
    await expect.poll(() => invite.isChecked()).toBe(true);
    await page.getByTestId('invite-estimate').waitFor();
    const keep = page.getByRole('radio', { name: 'Keep the current value' });
    const clear = page.getByRole('radio', { name: 'Clear the field' });
    await tabTo(page, keep.or(clear));
    const before = await keep.isChecked();
    await page.keyboard.press(before ? 'ArrowDown' : 'ArrowUp');
    await expect.poll(() => keep.isChecked()).toBe(!before);
    await page.keyboard.press(before ? 'ArrowUp' : 'ArrowDown');
    await expect.poll(() => keep.isChecked()).toBe(before);
    await tabTo(page, page.getByRole('button', { name: 'Next: review' }));
    await page.keyboard.press('Enter');
    await page.waitForURL('**?step=review');
    await expect.poll(() => reviewRows(page).count()).toBe(2);

    // Review: Enter opens the cell, Escape leaves it as it was, Enter saves; the focus stays on it.
    const cell = page.getByRole('button', { name: 'Edit Row 3, Reach me at: not-an-email' });
    await tabTo(page, cell);
    await page.keyboard.press('Enter');
    const input = page.getByRole('textbox', { name: 'New value for Row 3, Reach me at' });
    await expect.poll(() => input.and(focused(page)).count()).toBe(1);
    await page.keyboard.type('-typed-then-dropped');
    await page.keyboard.press('Escape');
    await expect.poll(() => cell.and(focused(page)).count()).toBe(1);
    expect(await page.locator('#import-row-3').getAttribute('data-valid')).toBe('false');
    await page.keyboard.press('Enter');
    await expect.poll(() => input.inputValue()).toBe('not-an-email');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('lee@acme.example');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('review-announce').textContent()).toBe('Row 3 is now valid.');
    expect(await page.locator('#import-row-3').getAttribute('data-valid')).toBe('true');
    const fixed = page.getByRole('button', { name: 'Edit Row 3, Reach me at: lee@acme.example' });
    await expect.poll(() => fixed.and(focused(page)).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
