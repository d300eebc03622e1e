import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import {
  type ApiCall,
  apiSession,
  type ConsoleServer,
  type Credentials,
  launchBrowser,
  startConsoleServer,
} from './browser.js';

/** What a browser test file works with: the console's server, an admin's API session and the browser. */
export interface BrowserTestConsole {
  readonly server: ConsoleServer;
  readonly api: ApiCall;
  readonly browser: Browser;
}

/**
 * The set-up browser test files share. Before the file's tests: the console's server (with `env`), an
 * admin's API session, the file's data (`arrange`, through that session, as a script would), then a
 * browser; after them, the browser closed and the server stopped. Call it at the top of the file;
 * what it returns is ready once the tests run.
 */
export function browserTestConsole(
  admin: Credentials,
  env: Record<string, string>,
  arrange: (started: { server: ConsoleServer; api: ApiCall }) => Promise<void>,
): BrowserTestConsole {
  let server: ConsoleServer | undefined;
  let api: ApiCall | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    server = await startConsoleServer(admin, env);
    api = await apiSession(server.url, admin);
    await arrange({ server, api });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    server?.stop();
  });

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started yet: use it in a test, not at load`);
    return value;
  };
  return {
    get server() {
      return ready(server, 'The server');
    },
    get api() {
      return ready(api, 'The API session');
    },
    get browser() {
      return ready(browser, 'The browser');
    },
  };
}
