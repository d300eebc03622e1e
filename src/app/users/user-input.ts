import { type AttributeValue, readAttributeValue } from '../../core/domain/attributes.js';
import { checkEmail, emailKey, normalizeEmail } from '../../core/domain/email.js';
import { normalizeOptional, normalizeText } from '../../core/domain/text.js';
import {
  ACCESS_LEVEL_MAX_LENGTH,
  ADMIN_SETTABLE_STATUSES,
  DISPLAY_NAME_MAX_LENGTH,
  EMPLOYEE_NUMBER_MAX_LENGTH,
  HISTORICAL_STATUSES,
  NAME_MAX_LENGTH,
  NEW_USER_STATUSES,
  type UserStatus,
  type UserType,
} from '../../core/domain/user.js';
import { isValidUsername, usernameBase, usernameKey, withCounter } from '../../core/domain/username.js';
import type { Problems } from '../../core/problems.js';
import type { Db } from '../../storage/database.js';
import { listAttributeDefinitions } from '../../storage/queries/attributes.js';
import { listGroups, listRoles } from '../../storage/queries/roles-groups.js';
import { usernameKeysStartingWith } from '../../storage/queries/users.js';

/** A user as an admin writes it through the API or the CLI. */
export interface UserInput {
  email: string;
  username?: string | null;
  firstName?: string;
  lastName?: string;
  displayName?: string | null;
  customerId: number;
  siteId?: number | null;
  contactId?: number | null;
  userType?: UserType;
  accessLevel?: string | null;
  employeeNumber?: string | null;
  attributes?: Record<string, unknown>;
  status?: UserStatus;
  roleIds?: number[];
  groupIds?: number[];
}

export function readEmail(value: string, problems: Problems): { email: string; key: string } {
  const email = normalizeEmail(value);
  const problem = checkEmail(email);
  if (problem === 'empty') problems.add('email', 'email.required', 'An access email is required.');
  else if (problem === 'too_long')
    problems.add('email', 'email.too_long', 'The email is longer than 254 characters.');
  else if (problem) problems.add('email', 'email.invalid', `"${email}" is not a valid email address.`);
  return { email, key: emailKey(email) };
}

export function readUsername(value: string, problems: Problems): { username: string; key: string } {
  const username = normalizeText(value);
  if (!isValidUsername(username)) {
    problems.add(
      'username',
      'username.invalid',
      'Use 1 to 64 letters, digits, dots, dashes, underscores, @ or +, starting with a letter or digit.',
    );
  }
  return { username, key: usernameKey(username) };
}

export function readName(field: string, value: string, max: number, problems: Problems): string {
  const out = normalizeText(value);
  if (out.length > max) problems.add(field, 'text.too_long', `Use at most ${max} characters.`);
  return out;
}

export function readOptionalText(
  field: string,
  value: string | null,
  max: number,
  problems: Problems,
): string | null {
  const out = normalizeOptional(value);
  if (out !== null && out.length > max)
    problems.add(field, 'text.too_long', `Use at most ${max} characters.`);
  return out;
}

export const LIMITS = {
  name: NAME_MAX_LENGTH,
  displayName: DISPLAY_NAME_MAX_LENGTH,
  accessLevel: ACCESS_LEVEL_MAX_LENGTH,
  employeeNumber: EMPLOYEE_NUMBER_MAX_LENGTH,
};

/**
 * A status an admin sends: a new user starts pending or active; an existing one may also be
 * disabled. `blocked` is historical (users keep it from earlier systems) and is never given.
 */
export function readStatus(value: UserStatus, problems: Problems, of: 'new' | 'existing'): UserStatus {
  if (HISTORICAL_STATUSES.includes(value)) {
    problems.add(
      'status',
      'status.historical',
      `Status "${value}" is historical and cannot be given to a user; to stop a user signing in, disable it (status "disabled").`,
    );
  } else if (!ADMIN_SETTABLE_STATUSES.includes(value)) {
    problems.add('status', 'status.not_settable', `Status "${value}" is set by the system, not by hand.`);
  } else if (of === 'new' && !NEW_USER_STATUSES.includes(value)) {
    problems.add(
      'status',
      'status.not_for_new_users',
      `A new user cannot be created "${value}": create it pending or active, then disable it.`,
    );
  }
  return value;
}

/** Checks custom attribute values against their definitions; on create, required ones must be present. */
export async function readAttributes(
  db: Db,
  input: Record<string, unknown>,
  existing: Record<string, AttributeValue> | null,
  problems: Problems,
): Promise<Record<string, AttributeValue>> {
  const defs = await listAttributeDefinitions(db);
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const out: Record<string, AttributeValue> = { ...(existing ?? {}) };
  for (const [key, raw] of Object.entries(input)) {
    const def = byKey.get(key);
    if (!def) {
      problems.add(`attributes.${key}`, 'attribute.unknown', `There is no custom attribute "${key}".`);
      continue;
    }
    const read = readAttributeValue(def, typeof raw === 'string' ? normalizeText(raw) : raw);
    if (read.ok) out[key] = read.value;
    else problems.add(`attributes.${key}`, read.problem.code, read.problem.message);
  }
  for (const def of defs) {
    if (def.required && (out[def.key] === undefined || out[def.key] === null)) {
      if (!(def.key in input)) {
        problems.add(`attributes.${def.key}`, 'attribute.required', `${def.label} is required.`);
      }
    }
  }
  return out;
}

export async function checkMemberships(
  db: Db,
  roleIds: readonly number[] | undefined,
  groupIds: readonly number[] | undefined,
  problems: Problems,
): Promise<void> {
  if (roleIds && roleIds.length > 0) {
    const roles = new Map((await listRoles(db)).map((r) => [r.id, r]));
    for (const id of roleIds) {
      const role = roles.get(id);
      if (!role) problems.add('roleIds', 'role.not_found', `No portal role with id ${id}.`);
      else if (!role.active) problems.add('roleIds', 'role.inactive', `The role "${role.name}" is inactive.`);
    }
  }
  if (groupIds && groupIds.length > 0) {
    const groups = new Set((await listGroups(db)).map((g) => g.id));
    for (const id of groupIds) {
      if (!groups.has(id)) problems.add('groupIds', 'group.not_found', `No group with id ${id}.`);
    }
  }
}

/** The username a new user gets when none is given: derived from the email, with a counter. */
export async function deriveUsername(db: Db, email: string): Promise<string> {
  const base = usernameBase(email);
  const taken = await usernameKeysStartingWith(db, usernameKey(base));
  return withCounter(base, (key) => taken.has(key));
}
