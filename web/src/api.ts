import type { ApiError, MeAnswer, SignedInAnswer, UserPage, UserQuery } from './types';

/** The CSRF token of the current session: kept in memory only, sent as X-CSRF-Token on changes. */
let csrfToken: string | null = null;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError | null,
  ) {
    super(body?.message ?? `The server answered ${status}.`);
  }
}

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new HttpError(0, null);
  }
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : null;
  if (!res.ok) throw new HttpError(res.status, (json as ApiError | null) ?? null);
  return json as T;
}

export async function login(email: string, password: string): Promise<SignedInAnswer> {
  const answer = await request<SignedInAnswer>('POST', '/api/v1/auth/login', { email, password });
  csrfToken = answer.csrfToken;
  return answer;
}

/** Who is signed in, or null when nobody is. */
export async function me(): Promise<MeAnswer | null> {
  try {
    const answer = await request<MeAnswer>('GET', '/api/v1/auth/me');
    csrfToken = answer.csrfToken;
    return answer;
  } catch (e) {
    if (e instanceof HttpError && e.status === 401) return null;
    throw e;
  }
}

export async function logout(): Promise<void> {
  try {
    await request('POST', '/api/v1/auth/logout');
  } finally {
    csrfToken = null;
  }
}

export function listUsers(query: UserQuery): Promise<UserPage> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return request<UserPage>('GET', `/api/v1/users?${params}`);
}
