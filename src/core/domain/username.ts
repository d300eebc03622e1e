import { foldKey } from './text.js';

export const USERNAME_MAX_LENGTH = 64;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]*$/;

export function isValidUsername(value: string): boolean {
  return value.length > 0 && value.length <= USERNAME_MAX_LENGTH && USERNAME.test(value);
}

export const usernameKey = (value: string): string => foldKey(value);

/**
 * The username a user gets when none is given: the local part of the email, reduced to safe
 * characters. Collisions are settled by `withCounter`.
 */
export function usernameBase(email: string): string {
  const local = (email.split('@')[0] ?? '').normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const cleaned = local
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '')
    .replace(/^[._-]+/, '')
    .slice(0, USERNAME_MAX_LENGTH - 6);
  return cleaned === '' ? 'user' : cleaned;
}

/** `base`, then `base2`, `base3`, … : the first candidate that `isTaken` refuses. */
export function withCounter(base: string, isTaken: (candidateKey: string) => boolean): string {
  if (!isTaken(usernameKey(base))) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}${n}`;
    if (!isTaken(usernameKey(candidate))) return candidate;
  }
}
