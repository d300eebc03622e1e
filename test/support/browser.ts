import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { serve } from './cli.js';
import { until } from './wait.js';

/**
 * Shared parts of the browser tests: the built console (dist/web, built by scripts/test.mjs) served
 * by `roster serve` on a fresh SQLite database, driven with the machine's Debian chromium.
 */
export const root = path.resolve(import.meta.dirname, '../..');
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Screenshots are looked at by people: every page and wizard step at both sizes. */
export const SHOTS = path.join(root, 'test-output/screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface Credentials {
  email: string;
  password: string;
}

export type ApiCall = <T = Record<string, unknown>>(
  method: string,
  route: string,
  body?: unknown,
) => Promise<T>;

export interface ConsoleServer {
  url: string;
  child: ChildProcess;
  output: () => string;
  dataDir: string;
  stop: () => void;
}

/** Starts `roster serve` on a temporary SQLite database with a first administrator. */
export async function startConsoleServer(
  admin: Credentials,
  env: Record<string, string> = {},
): Promise<ConsoleServer> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing. Install it with: apt-get install -y --no-install-recommends chromium`,
    );
  }
  if (!fs.existsSync(path.join(root, 'dist/web/index.html'))) {
    throw new Error('The admin console is not built. Run: npm run build:web');
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-e2e-'));
  // A known port, so that links in emails (PUBLIC_URL) lead back to this server.
  const port = await freePort();
  const server = await serve({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    ROSTER_ADMIN_EMAIL: admin.email,
    ROSTER_ADMIN_PASSWORD: admin.password,
    ...env,
  });
  return {
    ...server,
    dataDir,
    stop: () => {
      server.child.kill();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Calls the API as an admin, with the session cookie and CSRF token of a sign-in. */
export async function apiSession(url: string, who: Credentials): Promise<ApiCall> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  expect(res.status).toBe(200);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return async <T>(method: string, route: string, body?: unknown) => {
    const r = await fetch(`${url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${route}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
}

export function launchBrowser(): Promise<Browser> {
  fs.mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A new page that records uncaught page errors; a test ends with `expect(errors).toEqual([])`. */
export async function openPage(
  browser: Browser,
  viewport = DESKTOP,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

/** Signs in through the console's sign-in page and waits for the page it lands on. */
export async function signIn(page: Page, url: string, who: Credentials, landing = '/users'): Promise<void> {
  await page.goto(`${url}${landing}`);
  await page.waitForURL('**/login**');
  await page.getByRole('textbox', { name: 'Email' }).fill(who.email);
  await page.getByRole('textbox', { name: 'Password' }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**${landing}`);
}

/**
 * Waits until the page is still: laid out at the viewport's width, no CSS transition or finite
 * animation running (a popover fading in, a layout changing size), after a frame has been drawn.
 * Endless animations (a loader) do not count.
 */
export async function settle(page: Page): Promise<void> {
  const width = (page.viewportSize() ?? DESKTOP).width;
  await until(
    'the page to settle',
    () =>
      page.evaluate<boolean>(`new Promise((resolve) => requestAnimationFrame(() => resolve(
        window.innerWidth === ${width} &&
          document.getAnimations().every((a) =>
            a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity))))`),
    Boolean,
    10_000,
  );
}

/** A viewport size, once the page has settled at it. */
export async function resize(page: Page, size: { width: number; height: number }): Promise<void> {
  await page.setViewportSize(size);
  await settle(page);
}

/** Saves a screenshot named `<name>-<width>x<height>.png` under test-output/screenshots. */
export async function shot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? DESKTOP;
  // From the top: a full-page capture of a scrolled page draws the fixed header mid-page.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({
    path: path.join(SHOTS, `${name}-${size.width}x${size.height}.png`),
    fullPage: true,
  });
}
