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

/**
 * A sender as a mail header takes it: an address, or a display name and the address in angle
 * brackets (`Roster <no-reply@example.com>`). A message a person can act on, or null when fine.
 * The name may not hold what would need quoting or could end the header (quotes, brackets,
 * commas, semicolons, colons, backslashes, line breaks).
 */
export function mailboxProblem(value: string): string | null {
  const text = value.trim();
  const named = /^(.*?)\s*<([^<>]*)>$/s.exec(text);
  const name = named ? named[1]! : '';
  const address = named ? named[2]!.trim() : text;
  if (/["<>,;:\\\p{Cc}]/u.test(name))
    return 'The display name may not hold quotes, angle brackets, commas, semicolons, colons, backslashes or line breaks.';
  if (name.length > 100) return 'The display name may be at most 100 characters.';
  if (checkEmail(address) !== null)
    return `"${address}" is not an email address: write one, optionally after a display name, as in Roster <no-reply@example.com>.`;
  return null;
}

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
