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

/** The kinds of a user's values: what each holds, and so how it is stored, read and checked. */
interface ValueOfKind {
  text: string;
  /** Free text a user may lack: read, stored and shown the same way whatever its name. */
  optionalText: string | null;
  id: number;
  optionalId: number | null;
  userType: UserType;
  status: UserStatus;
  attributes: Record<string, AttributeValue>;
}
type ValueKind = keyof ValueOfKind;

/**
 * Every value of a user, declared once: its column in `users` and its kind (with its longest length
 * for text). The writer, the readers, the API's shapes, the API's reading of a body and the import's
 * reading of a row are made from this list, so a new column is declared here, in the schema, in its
 * migration and (to import it) in the users target's fields, and nowhere else.
 */
export const USER_COLUMNS = {
  email: { column: 'email', kind: 'text', max: EMAIL_MAX_LENGTH },
  username: { column: 'username', kind: 'text', max: USERNAME_MAX_LENGTH },
  firstName: { column: 'first_name', kind: 'text', max: NAME_MAX_LENGTH },
  lastName: { column: 'last_name', kind: 'text', max: NAME_MAX_LENGTH },
  displayName: { column: 'display_name', kind: 'text', max: DISPLAY_NAME_MAX_LENGTH },
  customerId: { column: 'customer_id', kind: 'id' },
  siteId: { column: 'site_id', kind: 'id' },
  contactId: { column: 'contact_id', kind: 'optionalId' },
  userType: { column: 'user_type', kind: 'userType' },
  accessLevel: { column: 'access_level', kind: 'optionalText', max: ACCESS_LEVEL_MAX_LENGTH },
  employeeNumber: { column: 'employee_number', kind: 'optionalText', max: EMPLOYEE_NUMBER_MAX_LENGTH },
  attributes: { column: 'attributes', kind: 'attributes' },
  status: { column: 'status', kind: 'status' },
} as const satisfies Record<string, { column: string; kind: ValueKind; max?: number }>;

export type UserField = keyof typeof USER_COLUMNS;
export const USER_FIELDS = Object.keys(USER_COLUMNS) as UserField[];

/** What a user is, as stored: every column a change may write. */
export type UserValues = { -readonly [K in UserField]: ValueOfKind[(typeof USER_COLUMNS)[K]['kind']] };

/** The free-text values a user may lack (access level, employee number…): each read the same way. */
export type OptionalTextField = {
  [K in UserField]: (typeof USER_COLUMNS)[K]['kind'] extends 'optionalText' ? K : never;
}[UserField];
export const OPTIONAL_TEXT_FIELDS = USER_FIELDS.filter(
  (f): f is OptionalTextField => USER_COLUMNS[f].kind === 'optionalText',
);

/** The optional texts, each made by `value` (a body's, a row's, or none). */
export function optionalTexts(
  value: (field: OptionalTextField) => string | null,
): Record<OptionalTextField, string | null> {
  return Object.fromEntries(OPTIONAL_TEXT_FIELDS.map((f) => [f, value(f)])) as Record<
    OptionalTextField,
    string | null
  >;
}

/** A user's values alone, out of anything that holds them (a row read back, a full state). */
export function userValuesOf(source: UserValues): UserValues {
  return Object.fromEntries(USER_FIELDS.map((f) => [f, source[f]])) as UserValues;
}

/** Whether two users' values are the same (attributes whatever their order). */
export function sameUserValues(a: UserValues, b: UserValues): boolean {
  return USER_FIELDS.every((f) =>
    f === 'attributes' ? sameAttributes(a.attributes, b.attributes) : a[f] === b[f],
  );
}

function sameAttributes(a: Record<string, AttributeValue>, b: Record<string, AttributeValue>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && a[k] === b[k]);
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

/**
 * The key an employee number is compared by, wherever users are found or checked by it: ignoring
 * case and surrounding spaces, leading zeros significant (`007` is not `7`). Employee numbers are
 * unique among users by this key for every new or changed number.
 */
export const employeeNumberKey = (value: string): string => value.trim().toLowerCase();

/** The key a name is sorted and searched by: the same text ignoring case. */
export const nameKey = (value: string): string => value.toLowerCase();

/** Display name when none is given: "First Last", else the email. */
export function defaultDisplayName(firstName: string, lastName: string, email: string): string {
  const full = `${firstName} ${lastName}`.trim();
  return full === '' ? email : full;
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
