import { HttpError, request, setCsrfToken } from '../lib/api';
import type { MeAnswer, SignedInAnswer } from './types';

export async function login(email: string, password: string): Promise<SignedInAnswer> {
  const answer = await request<SignedInAnswer>('POST', '/api/v1/auth/login', { email, password });
  setCsrfToken(answer.csrfToken);
  return answer;
}

/** Who is signed in, or null when nobody is. */
export async function me(): Promise<MeAnswer | null> {
  try {
    const answer = await request<MeAnswer>('GET', '/api/v1/auth/me');
    setCsrfToken(answer.csrfToken);
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
    setCsrfToken(null);
  }
}
