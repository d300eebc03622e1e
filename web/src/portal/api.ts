import { get, HttpError, request, requestWithCsrf } from '../lib/api';
import type {
  LinkCheckedAnswer,
  LinkPurpose,
  LinkUsedAnswer,
  PortalInfoAnswer,
  PortalMeAnswer,
  PortalSignedInAnswer,
} from './types';

/** The portal session's CSRF token: in memory only, apart from the admin console's. */
let portalCsrf: string | null = null;

export const portalInfo = () => get<PortalInfoAnswer>('/api/v1/portal/info');

export const checkLink = (token: string, purpose: LinkPurpose) =>
  request<LinkCheckedAnswer>('POST', '/api/v1/portal/links/check', { token, purpose });

export const redeemLink = (token: string, password: string, purpose: LinkPurpose) =>
  request<LinkUsedAnswer>(
    'POST',
    purpose === 'activation' ? '/api/v1/portal/activate' : '/api/v1/portal/password-reset/confirm',
    { token, password },
  );

export const requestReset = (email: string) => request('POST', '/api/v1/portal/password-reset', { email });

export async function portalLogin(login: string, password: string): Promise<PortalSignedInAnswer> {
  const answer = await request<PortalSignedInAnswer>('POST', '/api/v1/portal/login', { login, password });
  portalCsrf = answer.csrfToken;
  return answer;
}

/** The signed-in portal user, or null when nobody is signed in to the portal. */
export async function portalMe(): Promise<PortalMeAnswer | null> {
  try {
    const answer = await get<PortalMeAnswer>('/api/v1/portal/me');
    portalCsrf = answer.csrfToken;
    return answer;
  } catch (e) {
    if (e instanceof HttpError && e.status === 401) return null;
    throw e;
  }
}

export async function portalLogout(): Promise<void> {
  try {
    await requestWithCsrf(portalCsrf, 'POST', '/api/v1/portal/logout');
  } finally {
    portalCsrf = null;
  }
}
