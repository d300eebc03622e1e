import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { ApiCall, Credentials } from './browser.js';
import { multipart } from './upload.js';
import { until as waitUntil } from './wait.js';

/**
 * API steps the browser tests take on the side (setting up data, starting imports), through the
 * real server's HTTP API with an admin's session, as a script would.
 */

/** Waits until `read` gives a value that `done` accepts; fails with `what` after `ms`. */
export const until = <T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, ms = 60_000) =>
  waitUntil(what, read, done, ms, 200);

/** Uploads a CSV as an import through the API and leaves it validated, before its commit. */
export async function uploadCsv(
  url: string,
  who: Credentials,
  csv: string,
  options: Record<string, unknown>,
  name = 'people.csv',
): Promise<{ id: number; status: string }> {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const body = multipart(
    { target: 'users', options: JSON.stringify(options) },
    { name, content: csv, type: 'text/csv' },
  );
  const uploaded = await fetch(`${url}/api/v1/imports`, {
    method: 'POST',
    headers: { ...body.headers, cookie, 'x-csrf-token': csrfToken },
    body: new Uint8Array(body.payload),
  });
  const created = (await uploaded.json()) as { id: number; status: string };
  expect(uploaded.status, JSON.stringify(created)).toBe(201);
  expect(created.status).toBe('validated');
  return created;
}

/** Uploads a CSV as an import through the API, commits it and waits until it has finished. */
export async function importCsv(
  url: string,
  who: Credentials,
  api: ApiCall,
  csv: string,
  options: Record<string, unknown>,
): Promise<{ id: number; status: string }> {
  const created = await uploadCsv(url, who, csv, options);
  await api('POST', `/api/v1/imports/${created.id}/commit`, {});
  return until(
    `import ${created.id} to finish`,
    () => api<{ id: number; status: string }>('GET', `/api/v1/imports/${created.id}`),
    (i) => ['completed', 'failed', 'cancelled'].includes(i.status),
  );
}

/** Waits until the toasts in the top right corner are gone: they cover the page's action buttons. */
export async function toastsGone(page: Page): Promise<void> {
  await expect.poll(() => page.locator('.mantine-Notification-root').count(), { timeout: 15_000 }).toBe(0);
}
