import type { ApiError } from './types';

/** The CSRF token of the current session: kept in memory only, sent as X-CSRF-Token on changes. */
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** An answer other than 2xx, or status 0 when the server could not be reached. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError | null,
  ) {
    super(
      body?.message ?? (status === 0 ? 'The server could not be reached.' : `The server answered ${status}.`),
    );
  }

  get code(): string | undefined {
    return this.body?.code;
  }
}

/** Query-string parameters: empty values are left out, arrays are joined with commas. */
export type Params = Record<
  string,
  string | number | boolean | readonly (string | number)[] | null | undefined
>;

export function withParams(url: string, params?: Params): string {
  if (!params) return url;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length > 0) search.set(key, value.join(','));
    } else search.set(key, String(value));
  }
  const qs = search.toString();
  return qs ? `${url}${url.includes('?') ? '&' : '?'}${qs}` : url;
}

async function send<T>(
  method: string,
  url: string,
  init: { body?: BodyInit; json?: boolean; csrf?: string | null },
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.json) headers['content-type'] = 'application/json';
  const csrf = init.csrf === undefined ? csrfToken : init.csrf;
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
  } catch {
    throw new HttpError(0, null);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) throw new HttpError(res.status, (json as ApiError | null) ?? null);
  return json as T;
}

/** Calls the JSON API with the session cookie (and the CSRF token on changes). */
export function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  return send<T>(method, url, body === undefined ? {} : { body: JSON.stringify(body), json: true });
}

/**
 * Calls the JSON API with another session's CSRF token than the admin's: the portal's pages keep
 * the portal session's own token.
 */
export function requestWithCsrf<T>(csrf: string | null, method: string, url: string, body?: unknown) {
  return send<T>(
    method,
    url,
    body === undefined ? { csrf } : { body: JSON.stringify(body), json: true, csrf },
  );
}

export const get = <T>(url: string, params?: Params) => request<T>('GET', withParams(url, params));

/** Sends a multipart form (file uploads); the browser sets the boundary. */
export function upload<T>(url: string, form: FormData): Promise<T> {
  return send<T>('POST', url, { body: form });
}

/** A message a person can act on, for any error a query or mutation may throw. */
export function describeError(error: unknown): string {
  if (error instanceof HttpError) {
    if (error.status === 0) return 'The server could not be reached. Check your connection and try again.';
    if (error.status === 403) return error.body?.message ?? 'You are not allowed to do this.';
    return error.body?.message ?? error.message;
  }
  return error instanceof Error ? error.message : 'Something went wrong. Try again.';
}
