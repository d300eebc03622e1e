import { type AttributeValue, readAttributeValue } from '../../core/domain/attributes.js';
import { normalizeEmail } from '../../core/domain/email.js';
import { normalizeOptional, normalizeText } from '../../core/domain/text.js';
import {
  DISPLAY_NAME_MAX_LENGTH,
  emailProblem,
  NAME_MAX_LENGTH,
  OPTIONAL_TEXT_FIELDS,
  type OptionalTextField,
  type RuleProblem,
  statusProblem,
  tooLongProblem,
  USER_COLUMNS,
  type UserStatus,
  type UserType,
  usernameProblem,
} from '../../core/domain/user.js';
import type { Problems } from '../../core/problems.js';
import type { Db } from '../../storage/database.js';
import { listAttributeDefinitions } from '../../storage/queries/attributes.js';
import { listGroups, listRoles } from '../../storage/queries/roles-groups.js';

/** A user as an admin writes it through the API or the CLI. */
interface UserInputFields {
  email: string;
  username?: string | null;
  firstName?: string;
  lastName?: string;
  displayName?: string | null;
  customerId: number;
  siteId?: number | null;
  contactId?: number | null;
  userType?: UserType;
  attributes?: Record<string, unknown>;
  status?: UserStatus;
  roleIds?: number[];
  groupIds?: number[];
}
/** …and the user's optional texts (access level, employee number…), as the model declares them. */
export type UserInput = UserInputFields & Partial<Record<OptionalTextField, string | null>>;

/** Each field of the API's user body read into the user model, its problems named by field. */
export function readEmail(value: string, problems: Problems): string {
  const email = normalizeEmail(value);
  report(problems, 'email', emailProblem(email));
  return email;
}

export function readUsername(value: string, problems: Problems): string {
  const username = normalizeText(value);
  report(problems, 'username', usernameProblem(username));
  return username;
}

export function readName(field: string, value: string, max: number, problems: Problems): string {
  const out = normalizeText(value);
  report(problems, field, tooLongProblem(out, max));
  return out;
}

export function readOptionalText(
  field: string,
  value: string | null,
  max: number,
  problems: Problems,
): string | null {
  const out = normalizeOptional(value);
  report(problems, field, tooLongProblem(out, max));
  return out;
}

export const LIMITS = {
  name: NAME_MAX_LENGTH,
  displayName: DISPLAY_NAME_MAX_LENGTH,
};

/**
 * The optional texts a body gives (`undefined`: not given), each read under its field's name; for
 * a new user, those not given are null.
 */
export function readOptionalTexts(
  input: Partial<Record<OptionalTextField, string | null>>,
  problems: Problems,
): Partial<Record<OptionalTextField, string | null>> {
  const out: Partial<Record<OptionalTextField, string | null>> = {};
  for (const field of OPTIONAL_TEXT_FIELDS) {
    const given = input[field];
    if (given !== undefined) out[field] = readOptionalText(field, given, USER_COLUMNS[field].max, problems);
  }
  return out;
}

export function readStatus(value: UserStatus, problems: Problems, of: 'new' | 'existing'): UserStatus {
  report(problems, 'status', statusProblem(value, of));
  return value;
}

function report(problems: Problems, field: string, problem: RuleProblem | null): void {
  if (problem) problems.add(field, problem.code, problem.message);
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
