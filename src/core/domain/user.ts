import type { AttributeValue } from './attributes.js';
import { checkEmail, EMAIL_MAX_LENGTH } from './email.js';
import { foldKey } from './text.js';
import { isValidUsername, USERNAME_MAX_LENGTH } from './username.js';

/**
 * The one model of a portal user: its values, the rules they obey and the keys derived from them,
 * whatever edge a change comes from (the API, the console, an import). The API reads a JSON body
 * and an import reads spreadsheet cells, each into these values, and both check them with the
 * rules below; storage writes them with one column list (storage/queries/users.ts).
 */
export const USER_STATUSES = ['pending', 'active', 'expired', 'disabled', 'blocked'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** Statuses a new user may start in, whether an admin or an import creates it. */
export const NEW_USER_STATUSES: readonly UserStatus[] = ['pending', 'active'];

/**
 * Statuses an admin may move an existing user to. `disabled` is the disable action (enabling moves
 * back to pending or active); `expired` is the system's verdict on an unused invitation.
 */
export const ADMIN_SETTABLE_STATUSES: readonly UserStatus[] = ['pending', 'active', 'disabled'];

/** Statuses kept for users that hold them from earlier systems, never given to anyone. */
export const HISTORICAL_STATUSES: readonly UserStatus[] = ['blocked'];

export const USER_TYPES = ['Standard', 'Privileged'] as const;
export type UserType = (typeof USER_TYPES)[number];
export const DEFAULT_USER_TYPE: UserType = 'Standard';
export const DEFAULT_SITE_NAME = 'HQ';

export const NAME_MAX_LENGTH = 100;
export const DISPLAY_NAME_MAX_LENGTH = 200;
export const ACCESS_LEVEL_MAX_LENGTH = 100;
export const EMPLOYEE_NUMBER_MAX_LENGTH = 50;

/** What a user is, as stored: every column a change may write. */
export interface UserValues {
  email: string;
  username: string;
  firstName: string;
  lastName: string;
  displayName: string;
  customerId: number;
  siteId: number;
  contactId: number | null;
  userType: UserType;
  accessLevel: string | null;
  employeeNumber: string | null;
  attributes: Record<string, AttributeValue>;
  status: UserStatus;
}

/** A user to create: its values and its memberships. */
export interface NewUser extends UserValues {
  roleIds: number[];
  groupIds: number[];
}

/** A user's full state: what an update compares with, and what a restore point keeps. */
export interface UserState extends NewUser {
  id: number;
  version: number;
}

/** The key a name is sorted and searched by: the same text ignoring case. */
export const nameKey = (value: string): string => value.toLowerCase();

/** Display name when none is given: "First Last", else the email. */
export function defaultDisplayName(firstName: string, lastName: string, email: string): string {
  const full = `${firstName} ${lastName}`.trim();
  return full === '' ? email : full;
}

export function isUserStatus(value: string): value is UserStatus {
  return (USER_STATUSES as readonly string[]).includes(value);
}

/** A value that breaks a rule: a stable code and a sentence that says what to do. */
export interface RuleProblem {
  code: string;
  message: string;
}

export function emailProblem(email: string): RuleProblem | null {
  const problem = checkEmail(email);
  if (problem === 'empty') return { code: 'email.required', message: 'An access email is required.' };
  if (problem === 'too_long')
    return { code: 'email.too_long', message: `The email is longer than ${EMAIL_MAX_LENGTH} characters.` };
  if (problem)
    return {
      code: 'email.invalid',
      message: `"${email}" is not a valid email address (like name@company.com).`,
    };
  return null;
}

export function usernameProblem(username: string): RuleProblem | null {
  if (isValidUsername(username)) return null;
  return {
    code: 'username.invalid',
    message: `Use 1 to ${USERNAME_MAX_LENGTH} letters, digits, dots, dashes, underscores, @ or +, starting with a letter or digit.`,
  };
}

/**
 * A status given by hand or in a file: a new user starts pending or active; an existing one may
 * also be disabled. `blocked` is historical and is never given; `expired` is the system's verdict.
 */
export function statusProblem(status: UserStatus, of: 'new' | 'existing'): RuleProblem | null {
  if (HISTORICAL_STATUSES.includes(status)) {
    return {
      code: 'status.historical',
      message: `Status "${status}" is historical and cannot be given to a user; to stop a user signing in, disable it (status "disabled").`,
    };
  }
  if (!ADMIN_SETTABLE_STATUSES.includes(status))
    return { code: 'status.not_settable', message: `Status "${status}" is set by the system, not by hand.` };
  if (of === 'new' && !NEW_USER_STATUSES.includes(status)) {
    return {
      code: 'status.not_for_new_users',
      message: `A new user cannot be created "${status}": create it pending or active, then disable it.`,
    };
  }
  return null;
}

export function tooLongProblem(value: string | null, max: number): RuleProblem | null {
  return value !== null && value.length > max
    ? { code: 'text.too_long', message: `Use at most ${max} characters (this has ${value.length}).` }
    : null;
}

/**
 * The site a user gets when none is named: the customer's `HQ`, or its first site for a customer
 * made before every customer had one. Null when the customer has no site at all.
 */
export function defaultSiteId(
  sites: readonly { id: number; customerId: number; name: string }[],
  customerId: number,
): number | null {
  const own = sites.filter((s) => s.customerId === customerId);
  const hq = own.find((s) => foldKey(s.name) === foldKey(DEFAULT_SITE_NAME));
  return (hq ?? own[0])?.id ?? null;
}
