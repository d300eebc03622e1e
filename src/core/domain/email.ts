import { normalizeText } from './text.js';

export const EMAIL_MAX_LENGTH = 254;

// Deliberately practical rather than RFC 5322 complete: one @, a dot-separated domain with a TLD of
// two or more letters, no spaces, no quotes. This is what mail servers and admins accept in practice.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export function normalizeEmail(value: string): string {
  return normalizeText(value);
}

/** The key that makes email unique case-insensitively. */
export function emailKey(value: string): string {
  return normalizeEmail(value).toLowerCase();
}

export type EmailProblem = 'empty' | 'too_long' | 'syntax';

export function checkEmail(value: string): EmailProblem | null {
  const email = normalizeEmail(value);
  if (email === '') return 'empty';
  if (email.length > EMAIL_MAX_LENGTH) return 'too_long';
  if (!EMAIL.test(email)) return 'syntax';
  const [local] = email.split('@');
  if (!local || local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return 'syntax';
  }
  return null;
}
