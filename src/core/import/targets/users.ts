import type { AttributeDefinition } from '../../domain/attributes.js';
import { readAttributeValue } from '../../domain/attributes.js';
import { emailKey } from '../../domain/email.js';
import { type NamedRole, suggestName } from '../../domain/roles.js';
import { foldKey } from '../../domain/text.js';
import {
  ACCESS_LEVEL_MAX_LENGTH,
  DEFAULT_SITE_NAME,
  DEFAULT_USER_TYPE,
  DISPLAY_NAME_MAX_LENGTH,
  defaultDisplayName,
  defaultSiteId,
  EMPLOYEE_NUMBER_MAX_LENGTH,
  employeeNumberKey,
  NAME_MAX_LENGTH,
  NEW_USER_STATUSES,
  type NewUser,
  OPTIONAL_TEXT_FIELDS,
  optionalTexts,
  sameUserValues,
  USER_TYPES,
  type UserState,
  type UserStatus,
  type UserType,
  usernameProblem,
} from '../../domain/user.js';
import { userDiff } from '../../domain/user-diff.js';
import {
  assignUsernames as assignDerivedUsernames,
  USERNAME_MAX_LENGTH,
  usernameKey,
} from '../../domain/username.js';
import type { CellValue } from '../cells.js';
import type { InvitePort } from '../invite-port.js';
import { describeProblems, type RowProblem } from '../problems.js';
import type { CheckedRow, ImportTarget, RowInput, RowResult, RunOptions, TargetField } from '../target.js';
import { problem } from '../validate.js';
import { resolveRoleNames } from './role-names.js';
import {
  ACTION_FIELD,
  commitUserActions,
  type DeletedUser,
  isKeyOnly,
  keyOnlyRow,
  planUserAction,
  refuseOwnersOfRecords,
  rowAction,
  statusAfter,
  type UserAction,
  type UserRowExtras,
  userRowRequires,
} from './user-actions.js';
import { isPlannedGroup, withCreatedGroups, withPlannedGroups } from './user-groups.js';
import { checkUserOptions, type MatchBy, type UsersOptions, usersOptionsSchema } from './user-options.js';
import { userRestorePoint } from './user-restore.js';

/** What this target's check and commit read: the general options and its own (user-options.ts). */
type ImportOptions = RunOptions<UsersOptions>;

/** The directory as the users target reads it: loaded once per validation or commit run. */
export interface UsersDirectory {
  customers: { id: number; name: string; externalId: string | null }[];
  sites: { id: number; customerId: number; name: string }[];
  roles: NamedRole[];
  groups: { id: number; name: string }[];
  attributes: AttributeDefinition[];
}

export interface ExistingUserRef {
  id: number;
  customerId: number;
  usernameKey: string;
}

/** A user holding an employee number, named by email in messages. */
export interface EmployeeNumberHolder extends ExistingUserRef {
  email: string;
}

/** A user's full state, as the one user model has it (core/domain/user.ts). */
export type UserSnapshot = UserState;
export type { NewUser };

/** What the users target needs from storage; implemented in storage/, passed in by the app layer. */
export interface UsersStore {
  findByEmailKeys(keys: readonly string[]): Promise<Map<string, ExistingUserRef>>;
  findUsernameKeys(keys: readonly string[]): Promise<Map<string, number>>;
  usernameKeysWithPrefix(prefix: string): Promise<Set<string>>;
  findContacts(
    refs: readonly string[],
  ): Promise<Map<string, { id: number; customerId: number; userId: number | null }>>;
  /**
   * The users holding each employee-number key (`employeeNumberKey`), oldest first: several only
   * where earlier data shares a number (a row naming it is then ambiguous).
   */
  findByEmployeeNumbers(keys: readonly string[]): Promise<Map<string, EmployeeNumberHolder[]>>;
  /**
   * Holds employee numbers until the caller's transaction ends, so that a number a commit checked
   * free is still free when written (a no-op where writes already take turns).
   */
  holdEmployeeNumbers(): Promise<void>;
  /** Creates groups (without roles) by name in the caller's transaction; answers every one named, created or found. */
  createGroups(names: readonly string[]): Promise<{ id: number; name: string }[]>;
  snapshots(ids: readonly number[]): Promise<Map<number, UserSnapshot>>;
  /** Inserts what it can; rows whose email or username is taken meanwhile are left out of the answer. */
  insert(users: readonly NewUser[], importId: number): Promise<Map<string, number>>;
  update(changes: readonly { before: UserSnapshot; after: NewUser }[], importId: number): Promise<void>;
  /** Users in id order after `after`, within the scope, for templates with existing users. */
  page(after: number, limit: number, customerId: number | null): Promise<UserSnapshot[]>;
  /** The current version and email of those of `ids` that exist (a rollback's check). */
  versions(ids: readonly number[]): Promise<Map<number, { version: number; email: string }>>;
  /** Deletes users (a rollback of their creation, or a row's delete). */
  remove(ids: readonly number[]): Promise<void>;
  /** The columns of each user's row beyond the model (password hash, dates, imports), for a delete's restore point. */
  rowExtras(ids: readonly number[]): Promise<Map<number, UserRowExtras>>;
  /** How many records each of these users owns (only those owning any). */
  ownedRecords(ids: readonly number[]): Promise<Map<number, number>>;
  /**
   * Inserts deleted users again with their ids, memberships and row (a rollback of a delete); one
   * whose email or username another user took since is left out. Answers the ids put back.
   */
  reinsert(users: readonly DeletedUser[]): Promise<Set<number>>;
  /** Puts users back as the snapshots were (a rollback of an update; itself a new version). */
  restore(snapshots: readonly UserSnapshot[]): Promise<void>;
}

export interface UsersEnv {
  directory: UsersDirectory;
  store: UsersStore;
  /** The admin's customer scope: rows may only touch this customer's users. */
  scopeCustomerId: number | null;
  /** Invites the users a batch created (with sendInvites), in the batch's transaction. */
  invites?: InvitePort;
}

const STATUS_VALUES = ['pending', 'active', 'disabled'] as const;

const BASE_FIELDS: TargetField[] = [
  {
    key: 'email',
    column: 'Email',
    label: 'Email',
    type: 'email',
    required: true,
    uniqueInFile: true,
    description:
      'Access email: where the invitation goes. Unique, compared ignoring case. Identifies the user.',
    synonyms: [
      'E-mail',
      'E-mail address',
      'Email address',
      'Mail',
      'Access email',
      'Login email',
      'Work email',
    ],
  },
  {
    key: 'username',
    column: 'Username',
    label: 'Username',
    type: 'text',
    required: false,
    uniqueInFile: true,
    maxLength: USERNAME_MAX_LENGTH,
    description: 'Unique sign-in name. Left empty: made from the email, with a number added if taken.',
    synonyms: ['User name', 'Login', 'Login name', 'Sign-in name'],
  },
  {
    key: 'firstName',
    column: 'First name',
    label: 'First name',
    type: 'text',
    required: false,
    maxLength: NAME_MAX_LENGTH,
    description: 'Given name.',
    synonyms: ['Firstname', 'Given name', 'Forename', 'First'],
  },
  {
    key: 'lastName',
    column: 'Last name',
    label: 'Last name',
    type: 'text',
    required: false,
    maxLength: NAME_MAX_LENGTH,
    description: 'Family name.',
    synonyms: ['Lastname', 'Surname', 'Family name', 'Last'],
  },
  {
    key: 'displayName',
    column: 'Display name',
    label: 'Display name',
    type: 'text',
    required: false,
    maxLength: DISPLAY_NAME_MAX_LENGTH,
    description: 'Name shown in the portal. Left empty: first and last name.',
    synonyms: ['Full name', 'Name'],
  },
  {
    key: 'customer',
    column: 'Customer',
    label: 'Customer',
    type: 'text',
    required: false,
    maxLength: 200,
    description: "Customer name or external id. Left empty: the import's customer.",
    synonyms: ['Company', 'Account', 'Client', 'Customer name', 'Organisation', 'Organization'],
  },
  {
    key: 'site',
    column: 'Site',
    label: 'Site',
    type: 'text',
    required: false,
    default: DEFAULT_SITE_NAME,
    maxLength: 100,
    description: `Site of the customer. Left empty: ${DEFAULT_SITE_NAME}.`,
    synonyms: ['Location', 'Office', 'Branch', 'Site name'],
  },
  {
    key: 'userType',
    column: 'User type',
    label: 'User type',
    type: 'enum',
    required: false,
    default: DEFAULT_USER_TYPE,
    allowed: USER_TYPES,
    description: `Privileged or Standard. Left empty: ${DEFAULT_USER_TYPE}.`,
    synonyms: ['Type', 'Usertype', 'Account type'],
  },
  {
    key: 'accessLevel',
    column: 'Access level',
    label: 'Access level',
    type: 'text',
    required: false,
    maxLength: ACCESS_LEVEL_MAX_LENGTH,
    description: 'Access level in the portal.',
    synonyms: ['Access', 'Level', 'Permission level'],
  },
  {
    key: 'roles',
    column: 'Roles',
    label: 'Roles',
    type: 'text',
    required: false,
    multi: true,
    maxLength: 100,
    description:
      'Portal role names, exactly as written in Roster (case matters), separated by ; or |: the user gets exactly these. Or +Name to add and -Name to remove, keeping the others.',
    synonyms: ['Role', 'Portal role', 'Portal roles'],
  },
  {
    key: 'groups',
    column: 'Groups',
    label: 'Groups',
    type: 'text',
    required: false,
    multi: true,
    maxLength: 100,
    description:
      'Group names, separated by ; or |: the user gets exactly these. Or +Name to add and -Name to remove, keeping the others.',
    synonyms: ['Group', 'User groups'],
  },
  {
    key: 'employeeNumber',
    column: 'Employee number',
    label: 'Employee number',
    type: 'text',
    required: false,
    uniqueInFile: true,
    maxLength: EMPLOYEE_NUMBER_MAX_LENGTH,
    description: 'Kept as text: leading zeros stay.',
    synonyms: ['Employee ID', 'Employee no', 'Employee #', 'Staff number', 'Emp no', 'Payroll number'],
  },
  {
    key: 'status',
    column: 'Status',
    label: 'Status',
    type: 'enum',
    required: false,
    default: 'pending',
    allowed: STATUS_VALUES,
    description: 'pending or active for new users (disabled only for existing ones). Left empty: pending.',
    synonyms: ['User status', 'State'],
  },
  {
    key: 'contact',
    column: 'Contact ID',
    label: 'Contact ID',
    type: 'text',
    required: false,
    maxLength: 100,
    description: 'Link to a contact of the same customer: its Roster id or its CRM (external) id.',
    synonyms: ['Contact', 'CRM ID', 'Contact external ID'],
  },
  {
    key: 'userId',
    column: 'user_id',
    label: 'Roster user id',
    type: 'text',
    required: false,
    // Two rows naming one user by id would write that user twice.
    uniqueInFile: true,
    maxLength: 12,
    description:
      "Roster's id of the user, as a success file or an export has it. Read only when existing users are found by user id.",
    synonyms: ['Roster ID', 'Roster user id'],
  },
];

const ATTRIBUTE_TYPE: Record<AttributeDefinition['type'], TargetField['type']> = {
  text: 'text',
  number: 'number',
  date: 'date',
  boolean: 'boolean',
  enum: 'enum',
};

function attributeField(def: AttributeDefinition): TargetField {
  return {
    key: `attr.${def.key}`,
    column: def.label,
    label: def.label,
    type: ATTRIBUTE_TYPE[def.type],
    required: false,
    ...(def.type === 'enum' && { allowed: def.options }),
    description: def.description || `Custom attribute (${def.type}).`,
    synonyms: [def.key],
  };
}

const str = (v: CellValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
const list = (v: CellValue | undefined): string[] | null =>
  Array.isArray(v) ? v : v === null || v === undefined ? null : [String(v)];

/** One row resolved against the directory: ids instead of names, ready to write. */
interface Resolved {
  emailKey: string;
  customerId: number | null;
  siteId: number | null;
  /** The roles or groups a cell names: the whole set (plain names), or what to add and remove. */
  roles: Membership | null;
  groups: Membership | null;
  attributes: Record<string, string | number | boolean | null>;
  contactRef: string | null;
}

export const usersTarget: ImportTarget<UsersEnv, UsersOptions, UserSnapshot> = {
  name: 'users',
  label: 'Portal users',
  description: 'Create and update portal users, identified by their email.',
  modes: ['insert', 'update', 'upsert'],
  keyField: 'email',
  options: { schema: usersOptionsSchema, check: checkUserOptions },
  restorePoint: userRestorePoint<UsersEnv>(),

  fields(env) {
    return [...BASE_FIELDS, ACTION_FIELD, ...env.directory.attributes.map(attributeField)];
  },

  requires: userRowRequires,

  templateChoices(env, customerId) {
    return {
      ...(customerId !== null && {
        site: env.directory.sites
          .filter((s) => s.customerId === customerId)
          .map((s) => s.name)
          .sort(byName),
      }),
      roles: activeRoleNames(env.directory),
    };
  },

  async check(input, given, options) {
    const env = createsGroups(options) ? withPlannedGroups(given, input) : given;
    const matchBy = options.matchBy ?? 'email';
    // A disable, enable or delete row is read by its key alone: its other cells change nothing.
    const actions = input.map((row) => rowAction(row.values, options));
    const rows = input.map((row, i) => (isKeyOnly(actions[i]!) ? keyOnlyRow(row, matchBy) : row));
    const { resolved, problems } = resolveRows(rows, env, options);
    actions.forEach((a, i) => {
      if (isKeyOnly(a)) problems[i] = [];
    });
    const existing = await env.store.findByEmailKeys(resolved.map((r) => r.emailKey));
    const keys = rows.map((row) => matchKey(row, matchBy));
    const numberHolders = await employeeNumberHolders(rows, env.store);
    const matches =
      matchBy === 'email'
        ? null
        : matchBy === 'employeeNumber'
          ? numberHolders
          : await matchUsers(keys, matchBy, env.store);
    const keyName = MATCH_NAMES[matchBy];
    const usernames = rows.map((r) => str(r.values.username)).filter((u): u is string => u !== null);
    const usernameOwners = await env.store.findUsernameKeys(usernames.map(usernameKey));
    const contactRefs = resolved.map((r) => r.contactRef).filter((c): c is string => c !== null);
    const contacts = contactRefs.length > 0 ? await env.store.findContacts(contactRefs) : new Map();

    const checked = rows.map((row, i): CheckedRow => {
      const out = problems[i]!;
      const r = resolved[i]!;
      const col = (key: string) => row.columns[key] ?? null;
      const raw = (key: string) => row.raw[key] ?? null;
      const emailOwner = existing.get(r.emailKey);
      let found: ExistingUserRef | undefined = emailOwner;
      if (matches) {
        // The field keys of the match columns are the option's values (core/import/targets/user-options.ts).
        const key = keys[i]!;
        const candidates = key.ok && key.value !== null ? (matches.get(key.value) ?? []) : [];
        found = candidates[0];
        if (!key.ok) {
          out.push(problem(row.row, col(matchBy), raw(matchBy), 'user_id.invalid', key.message, 'cell'));
        } else if (key.value === null) {
          out.push(
            problem(
              row.row,
              col(matchBy),
              null,
              'match.key_required',
              `Users are found by ${keyName} in this import: give this row's ${keyName}.`,
              'row',
            ),
          );
        } else if (candidates.length > 1) {
          out.push(
            problem(
              row.row,
              col(matchBy),
              raw(matchBy),
              'match.ambiguous',
              `${candidates.length} users have this ${keyName}: ${candidates.map((c) => holderName(c, env.scopeCustomerId)).join(' and ')}. Give each a different one, or find users by another column.`,
              'row',
            ),
          );
        }
        // With another key, the Email column is the user's (new) email: nobody else may hold it.
        if (emailOwner && emailOwner.id !== found?.id) {
          out.push(
            problem(
              row.row,
              col('email'),
              raw('email'),
              'email.taken',
              `The email "${str(row.values.email)}" belongs to another user.`,
              'row',
            ),
          );
        }
      }

      if (found && env.scopeCustomerId !== null && found.customerId !== env.scopeCustomerId) {
        out.push(
          problem(
            row.row,
            col(matchBy),
            raw(matchBy),
            'user.exists_elsewhere',
            `A user with this ${keyName} belongs to a customer you do not manage.`,
            'row',
          ),
        );
      }
      const username = str(row.values.username);
      if (username !== null) {
        const invalid = usernameProblem(username);
        if (invalid) {
          out.push(problem(row.row, col('username'), username, invalid.code, invalid.message, 'cell'));
        }
        const owner = usernameOwners.get(usernameKey(username));
        if (owner !== undefined && owner !== found?.id) {
          out.push(
            problem(
              row.row,
              col('username'),
              username,
              'username.taken',
              `The username "${username}" belongs to another user.`,
              'row',
            ),
          );
        }
      }
      // Employee numbers are unique among users: a row may keep the one its user has, not take another's.
      const employeeNumber = str(row.values.employeeNumber);
      const holders =
        employeeNumber === null ? [] : (numberHolders.get(employeeNumberKey(employeeNumber)) ?? []);
      if (holders.length > 0 && !holders.some((h) => h.id === found?.id)) {
        out.push(
          problem(
            row.row,
            col('employeeNumber'),
            employeeNumber,
            'employee_number.taken',
            `The employee number "${employeeNumber}" belongs to ${holderName(holders[0]!, env.scopeCustomerId)}; employee numbers are unique among users (ignoring case and surrounding spaces).`,
            'row',
          ),
        );
      }
      const status = str(row.values.status);
      if (!found && status !== null && !NEW_USER_STATUSES.includes(status as UserStatus)) {
        out.push(
          problem(
            row.row,
            col('status'),
            status,
            'status.not_for_new_users',
            `A new user cannot be created "${status}": use pending or active.`,
            'cell',
          ),
        );
      }
      if (r.contactRef !== null) {
        const contact = contacts.get(r.contactRef);
        if (!contact || (r.customerId !== null && contact.customerId !== r.customerId)) {
          out.push(
            problem(
              row.row,
              col('contact'),
              r.contactRef,
              'contact.not_found',
              `No contact "${r.contactRef}" in this customer.`,
              'cell',
            ),
          );
        } else if (contact.userId !== null && contact.userId !== found?.id) {
          out.push(
            problem(
              row.row,
              col('contact'),
              r.contactRef,
              'contact.has_user',
              'This contact already has a portal user.',
              'row',
            ),
          );
        }
      }
      if (out.some((p) => p.severity === 'error')) return { problems: out, action: null };
      const planned = planUserAction(actions[i]!, row, found, out, {
        keyName,
        column: col(matchBy),
        value: raw(matchBy),
      });
      if (planned) return planned;
      if (found && options.mode === 'insert') {
        return {
          problems: out,
          action: 'skip',
          skipReason: `A user with this ${keyName} exists; mode "insert" only creates new users.`,
        };
      }
      if (!found && options.mode === 'update') {
        return {
          problems: out,
          action: 'skip',
          skipReason: `No user with this ${keyName} exists; mode "update" only changes existing users.`,
        };
      }
      if (!found && matchBy === 'userId') {
        // An id names a user Roster made: a row cannot create one with it.
        const unknown = problem(
          row.row,
          col('userId'),
          raw('userId'),
          'user.not_found',
          `No user with id ${str(row.values.userId)} that you manage; remove the row, or import it in mode "update" to skip it.`,
          'row',
        );
        return { problems: [...out, unknown], action: null };
      }
      return found
        ? { problems: out, action: 'update', existingId: found.id }
        : { problems: out, action: 'create' };
    });
    if (matchBy !== 'email') {
      // Found by another key, a row may leave Email empty to keep it; a new user still needs one.
      checked.forEach((c, i) => {
        const row = rows[i]!;
        if (c.action !== 'create' || str(row.values.email) !== null) return;
        const missing = problem(
          row.row,
          row.columns.email ?? 'Email',
          row.raw.email ?? '',
          'value.required',
          `Email is required to create a user: no user has this ${keyName}. Fill it in, or correct the ${keyName}.`,
          'cell',
        );
        checked[i] = { problems: [...c.problems, missing], action: null };
      });
    }
    const final = await refuseOwnersOfRecords(checked, rows, env, (row) => ({
      column: row.columns[matchBy] ?? null,
      value: row.raw[matchBy] ?? null,
    }));
    await addUpdateDiffs(final, rows, resolved, env, options, contacts, actions);
    return final;
  },

  async existing(env, after, limit) {
    const users = await env.store.page(after, limit, env.scopeCustomerId);
    return users.map((u) => ({ cursor: u.id, cells: templateCells(u, env.directory) }));
  },

  async existingOf(env, ids) {
    const users = await env.store.snapshots(ids);
    return ids.flatMap((id) => {
      const u = users.get(id);
      if (!u || (env.scopeCustomerId !== null && u.customerId !== env.scopeCustomerId)) return [];
      return [{ cursor: u.id, cells: templateCells(u, env.directory) }];
    });
  },

  async commit(all, given, options, importId) {
    const env = createsGroups(options) ? await withCreatedGroups(given, all) : given;
    // Disable, enable and delete rows are written apart (user-actions.ts); the rest as before.
    const acted = await commitUserActions(all, env, options, importId);
    const rows = acted.rest;
    const { resolved } = resolveRows(rows, env, options);
    const contactRefs = resolved.map((r) => r.contactRef).filter((c): c is string => c !== null);
    const contacts = contactRefs.length > 0 ? await env.store.findContacts(contactRefs) : new Map();
    const mirror =
      options.permissions.kind === 'mirrorUser'
        ? (await env.store.snapshots([options.permissions.userId])).get(options.permissions.userId)
        : undefined;
    const results = new Map<number, RowResult<UserSnapshot>>();
    const creates: { row: RowInput; user: NewUser; r: Resolved }[] = [];
    const updates: { row: RowInput; id: number; r: Resolved }[] = [];

    // The engine checked these rows in this transaction: each is a create, or an update of the
    // user its email matched.
    rows.forEach((row, i) => {
      const r = resolved[i]!;
      if (row.action === 'create')
        creates.push({ row, user: newUser(row, r, env, options, mirror, contacts), r });
      else if (row.existingId !== null) updates.push({ row, id: row.existingId, r });
      // check() gives every update the user it matched; an update without one is a bug, not a create.
      else throw new Error(`Row ${row.row} is planned as an update but names no user.`);
    });

    if (creates.length > 0) {
      let pending = creates;
      const created: number[] = [];
      // A create loses a race when another change (on PostgreSQL, another worker's transaction)
      // committed the same email or username after this batch was checked: insert … on conflict do
      // nothing waited for it and left the row out. Such rows are checked again, now that the other
      // change is visible, and applied under the import's mode: an update (upsert), a skip (insert),
      // or a create again with a fresh username. Only a row that loses twice fails.
      for (let round = 0; pending.length > 0; round++) {
        await assignUsernames(
          pending.map((c) => c.user),
          env.store,
        );
        const inserted = await env.store.insert(
          pending.map((c) => c.user),
          importId,
        );
        const lost: typeof creates = [];
        for (const c of pending) {
          const id = inserted.get(emailKey(c.user.email));
          if (id === undefined) lost.push(c);
          else {
            created.push(id);
            results.set(c.row.row, {
              row: c.row.row,
              action: 'created',
              entityId: id,
              message: null,
              restore: { change: 'created', before: null, versionAfter: 1 },
            });
          }
        }
        pending = [];
        if (lost.length === 0) break;
        if (round > 0) {
          for (const c of lost) results.set(c.row.row, raceLost(c.row.row));
          break;
        }
        const again = await usersTarget.check(
          lost.map((c) => c.row),
          env,
          options,
        );
        lost.forEach((c, i) => {
          const checked = again[i]!;
          const row = c.row.row;
          if (checked.problems.some((p) => p.severity === 'error')) {
            results.set(row, {
              row,
              action: 'failed',
              entityId: null,
              message: describeProblems(checked.problems),
            });
          } else if (checked.action === 'skip') {
            results.set(row, {
              row,
              action: 'skipped',
              entityId: null,
              message: checked.skipReason ?? 'skipped',
            });
          } else if (checked.action === 'update' && checked.existingId !== undefined) {
            updates.push({ row: c.row, id: checked.existingId, r: c.r });
          } else {
            pending.push({ ...c, user: newUser(c.row, c.r, env, options, mirror, contacts) });
          }
        });
      }
      if (options.sendInvites && env.invites && created.length > 0) {
        await env.invites.inviteCreated(created, importId, options.inviteMessage ?? null);
      }
    }

    if (updates.length > 0) {
      const before = await env.store.snapshots(updates.map((u) => u.id));
      const changes: { before: UserSnapshot; after: NewUser }[] = [];
      for (const u of updates) {
        const current = before.get(u.id);
        if (!current) {
          results.set(u.row.row, {
            row: u.row.row,
            action: 'failed',
            entityId: u.id,
            message: 'The user was deleted while this import ran.',
          });
          continue;
        }
        const after = updatedUser(current, u.row, u.r, env, options, mirror, contacts);
        if (sameUser(current, after)) {
          results.set(u.row.row, { row: u.row.row, action: 'unchanged', entityId: u.id, message: null });
        } else {
          changes.push({ before: current, after });
          results.set(u.row.row, {
            row: u.row.row,
            action: 'updated',
            entityId: u.id,
            message: null,
            // Every write raises the version by one: the undo restores only while it is still this.
            restore: { change: 'updated', before: current, versionAfter: current.version + 1 },
          });
        }
      }
      if (changes.length > 0) await env.store.update(changes, importId);
    }
    return [...acted.results, ...rows.map((row) => results.get(row.row)!)];
  },
};

/**
 * Gives every update of `checked` the fields it will change, before → after: the user as it is,
 * and as `updatedUser` (which the commit writes) would leave it.
 */
async function addUpdateDiffs(
  checked: CheckedRow[],
  rows: readonly RowInput[],
  resolved: readonly Resolved[],
  env: UsersEnv,
  options: ImportOptions,
  contacts: Map<string, { id: number }>,
  actions: readonly UserAction[],
): Promise<void> {
  const ids = checked.flatMap((c) =>
    c.action === 'update' && c.existingId !== undefined ? [c.existingId] : [],
  );
  if (ids.length === 0) return;
  const mirrorId = options.permissions.kind === 'mirrorUser' ? options.permissions.userId : null;
  const users = await env.store.snapshots(mirrorId === null ? ids : [...ids, mirrorId]);
  const mirror = mirrorId === null ? undefined : users.get(mirrorId);
  // A disable or enable changes the status alone, to what the commit will set.
  const toggled = checked.flatMap((c, i) =>
    c.existingId !== undefined && (actions[i] === 'disable' || actions[i] === 'enable') ? [c.existingId] : [],
  );
  const extras = toggled.length > 0 ? await env.store.rowExtras(toggled) : new Map<number, UserRowExtras>();
  checked.forEach((c, i) => {
    if (c.action !== 'update' || c.existingId === undefined) return;
    const current = users.get(c.existingId);
    if (!current) return;
    const action = actions[i]!;
    const after =
      action === 'disable' || action === 'enable'
        ? { ...current, status: statusAfter(action, current, extras.get(c.existingId)?.activatedAt ?? null) }
        : updatedUser(current, rows[i]!, resolved[i]!, env, options, mirror, contacts);
    c.changes = userDiff(current, after, env.directory);
  });
}

/** Groups named in the file are created only where the file's Groups column is read at all. */
const createsGroups = (options: ImportOptions): boolean =>
  options.createMissingGroups && options.permissions.kind === 'fromFile';

const MATCH_NAMES: Record<MatchBy, string> = {
  email: 'email',
  username: 'username',
  employeeNumber: 'employee number',
  userId: 'user id',
};

/** A row's value of the match column, as the lookup reads it (null: none given). */
type MatchKey = { ok: true; value: string | null } | { ok: false; message: string };

function matchKey(row: RowInput, matchBy: MatchBy): MatchKey {
  const value = str(row.values[matchBy]);
  if (value === null) return { ok: true, value: null };
  switch (matchBy) {
    case 'email':
      return { ok: true, value: emailKey(value) };
    case 'username':
      return { ok: true, value: usernameKey(value) };
    case 'employeeNumber':
      return { ok: true, value: employeeNumberKey(value) };
    case 'userId':
      return /^[1-9]\d{0,9}$/.test(value) && Number(value) <= 2_147_483_647
        ? { ok: true, value }
        : {
            ok: false,
            message: `"${value}" is not a Roster user id (a whole number, as in the user_id column).`,
          };
  }
}

/**
 * The users holding the employee numbers the rows give, by key. In a commit's transaction the
 * numbers are held until it ends, so one checked free here is still free when written.
 */
async function employeeNumberHolders(
  rows: readonly RowInput[],
  store: UsersStore,
): Promise<Map<string, EmployeeNumberHolder[]>> {
  const keys = rows.flatMap((r) => {
    const v = str(r.values.employeeNumber);
    return v === null ? [] : [employeeNumberKey(v)];
  });
  if (keys.length === 0) return new Map();
  await store.holdEmployeeNumbers();
  return store.findByEmployeeNumbers(keys);
}

/** A user as a message names them: by email, unless they belong to a customer the admin does not manage. */
function holderName(user: ExistingUserRef & { email?: string }, scopeCustomerId: number | null): string {
  if (scopeCustomerId !== null && user.customerId !== scopeCustomerId)
    return 'a user of a customer you do not manage';
  return user.email ?? `user ${user.id}`;
}

/** The users each key names, by key: one at most, usernames and ids being unique. */
async function matchUsers(
  keys: readonly MatchKey[],
  matchBy: 'username' | 'userId',
  store: UsersStore,
): Promise<Map<string, ExistingUserRef[]>> {
  const values = keys.flatMap((k) => (k.ok && k.value !== null ? [k.value] : []));
  const ids =
    matchBy === 'userId' ? values.map(Number) : [...(await store.findUsernameKeys(values)).values()];
  const users = await store.snapshots(ids);
  const out = new Map<string, ExistingUserRef[]>();
  for (const u of users.values()) {
    const ref = { id: u.id, customerId: u.customerId, usernameKey: usernameKey(u.username) };
    out.set(matchBy === 'userId' ? String(u.id) : ref.usernameKey, [ref]);
  }
  return out;
}

const raceLost = (row: number): RowResult<UserSnapshot> => ({
  row,
  action: 'failed',
  entityId: null,
  message: 'The email or username was taken by another change while this import ran.',
});

/** Resolves names to ids and reads custom attributes; collects the problems of doing so. */
function resolveRows(
  rows: readonly RowInput[],
  env: UsersEnv,
  options: ImportOptions,
): { resolved: Resolved[]; problems: RowProblem[][] } {
  const dir = env.directory;
  const customersByKey = new Map<string, number>();
  for (const c of dir.customers) {
    if (env.scopeCustomerId !== null && c.id !== env.scopeCustomerId) continue;
    customersByKey.set(foldKey(c.name), c.id);
    if (c.externalId) customersByKey.set(foldKey(c.externalId), c.id);
  }
  const sitesByKey = new Map(dir.sites.map((s) => [`${s.customerId}:${foldKey(s.name)}`, s.id]));
  const groupsByKey = new Map(dir.groups.map((g) => [foldKey(g.name), g.id]));
  const fromFile = options.permissions.kind === 'fromFile';
  const defaultCustomer = env.scopeCustomerId ?? options.customerId;
  // Attribute definitions as the rows read them (never required here), made once per batch.
  const optional = dir.attributes.map((def) => ({ ...def, required: false }));
  const problems: RowProblem[][] = [];

  const resolved = rows.map((row): Resolved => {
    const out: RowProblem[] = [];
    problems.push(out);
    const col = (key: string) => row.columns[key] ?? null;

    const customerName = str(row.values.customer);
    let customerId: number | null = defaultCustomer;
    if (customerName !== null) {
      customerId = customersByKey.get(foldKey(customerName)) ?? null;
      if (customerId === null)
        out.push(
          problem(
            row.row,
            col('customer'),
            customerName,
            'customer.not_found',
            `No customer "${customerName}" (by name or external id) that you manage.`,
            'cell',
          ),
        );
    } else if (customerId === null) {
      out.push(
        problem(
          row.row,
          col('customer'),
          null,
          'customer.required',
          "Choose the import's customer, or add a Customer column.",
          'row',
        ),
      );
    }

    const siteName = str(row.values.site);
    let siteId: number | null = null;
    if (customerId !== null && siteName !== null) {
      siteId = sitesByKey.get(`${customerId}:${foldKey(siteName)}`) ?? null;
      if (siteId === null) {
        const names = dir.sites.filter((s) => s.customerId === customerId).map((s) => s.name);
        const hint = suggestName(siteName, names);
        const found = problem(
          row.row,
          col('site'),
          siteName,
          'site.not_found',
          `This customer has no site "${siteName}".${hint ? ` Did you mean "${hint}"?` : ''} Sites: ${names.join(', ')}.`,
          'cell',
        );
        out.push(hint ? { ...found, suggestion: hint } : found);
      }
    }

    const roleCell = fromFile ? signedNames(list(row.values.roles), row.row, col('roles'), out) : null;
    const roles =
      roleCell &&
      resolveMembership(
        roleCell,
        (names) => {
          const found = resolveRoleNames(names, dir.roles, { row: row.row, column: col('roles') });
          return { ids: found.ids, problems: found.problems };
        },
        out,
      );

    const groupCell = fromFile ? signedNames(list(row.values.groups), row.row, col('groups'), out) : null;
    const groups =
      groupCell &&
      resolveMembership(
        groupCell,
        (names) => {
          const ids: number[] = [];
          const problems: RowProblem[] = [];
          for (const name of names) {
            const id = groupsByKey.get(foldKey(name));
            if (id !== undefined) {
              ids.push(id);
              if (isPlannedGroup(id)) {
                const like = suggestName(
                  name,
                  dir.groups.filter((g) => !isPlannedGroup(g.id)).map((g) => g.name),
                );
                problems.push(
                  problem(
                    row.row,
                    col('groups'),
                    name,
                    'group.will_create',
                    `There is no group "${name}": committing creates it, without roles.${like ? ` A group "${like}" exists: write that name if you meant it.` : ''}`,
                    'cell',
                    'warning',
                  ),
                );
              }
            } else {
              const hint = suggestName(
                name,
                dir.groups.map((g) => g.name),
              );
              const found = problem(
                row.row,
                col('groups'),
                name,
                'group.unknown',
                `There is no group "${name}".${hint ? ` Did you mean "${hint}"?` : ''}`,
                'cell',
              );
              problems.push(hint ? { ...found, suggestion: hint } : found);
            }
          }
          return { ids, problems };
        },
        out,
      );

    const attributes: Resolved['attributes'] = {};
    for (const def of optional) {
      const key = `attr.${def.key}`;
      if (!(key in row.values)) continue;
      const read = readAttributeValue(def, row.values[key]);
      if (read.ok) attributes[def.key] = read.value;
      else
        out.push(
          problem(row.row, col(key), row.raw[key] ?? null, read.problem.code, read.problem.message, 'cell'),
        );
    }

    return {
      emailKey: emailKey(str(row.values.email) ?? ''),
      customerId,
      siteId,
      roles,
      groups,
      attributes,
      contactRef: str(row.values.contact),
    };
  });
  return { resolved, problems };
}

function defaultSite(env: UsersEnv, customerId: number): number {
  // Every customer has a site: the directory was read with the customer the row resolved to.
  return defaultSiteId(env.directory.sites, customerId)!;
}

/** Roles or groups as a cell gives them: the whole set, or names to add and to remove. */
type Membership = { kind: 'set'; ids: number[] } | { kind: 'change'; add: number[]; remove: number[] };

/** A Roles or Groups cell's names before they are resolved: plain (the set) or signed (+ adds, - removes). */
type SignedNames = { kind: 'set'; names: string[] } | { kind: 'change'; add: string[]; remove: string[] };

/**
 * Reads `+Name` (add) and `-Name` (remove) in a membership cell; plain names are the whole set.
 * A cell mixing both, or naming one entry to add and remove, is a problem of the row (null).
 */
function signedNames(
  names: string[] | null,
  row: number,
  column: string | null,
  out: RowProblem[],
): SignedNames | null {
  if (names === null) return null;
  const plain: string[] = [];
  const add: string[] = [];
  const remove: string[] = [];
  for (const name of names) {
    const sign = name[0];
    if (sign !== '+' && sign !== '-') {
      plain.push(name);
      continue;
    }
    const bare = name.slice(1).trim();
    if (bare === '') {
      out.push(
        problem(
          row,
          column,
          name,
          'membership.empty',
          `"${name}" names nothing: write +Name or -Name.`,
          'cell',
        ),
      );
      return null;
    }
    (sign === '+' ? add : remove).push(bare);
  }
  if (plain.length > 0 && add.length + remove.length > 0) {
    out.push(
      problem(
        row,
        column,
        names.join('; '),
        'membership.mixed',
        `Write either plain names (the whole list: ${plain.join('; ')}) or only +Name to add and -Name to remove, not both in one cell.`,
        'row',
      ),
    );
    return null;
  }
  if (plain.length > 0) return { kind: 'set', names: plain };
  const both = add.filter((a) => remove.some((r) => foldKey(r) === foldKey(a)));
  if (both.length > 0) {
    out.push(
      problem(
        row,
        column,
        names.join('; '),
        'membership.add_and_remove',
        `"${both[0]}" is both added (+) and removed (-) in this cell; keep one.`,
        'row',
      ),
    );
    return null;
  }
  return { kind: 'change', add, remove };
}

/** Resolves a cell's names to ids; a problem keeps the sign its name had, and so does its suggestion. */
function resolveMembership(
  cell: SignedNames,
  resolve: (names: readonly string[]) => { ids: number[]; problems: RowProblem[] },
  out: RowProblem[],
): Membership {
  if (cell.kind === 'set') {
    const found = resolve(cell.names);
    out.push(...found.problems);
    return { kind: 'set', ids: found.ids };
  }
  const signed = (sign: '+' | '-', names: string[]) => {
    const found = resolve(names);
    for (const p of found.problems) {
      out.push({
        ...p,
        value: p.value === null ? null : `${sign}${p.value}`,
        ...(p.suggestion !== undefined && { suggestion: `${sign}${p.suggestion}` }),
      });
    }
    return found.ids;
  };
  return { kind: 'change', add: signed('+', cell.add), remove: signed('-', cell.remove) };
}

/** The memberships after a cell's change: the set it names, or `current` with its additions and removals. */
function applyMembership(m: Membership, current: readonly number[]): number[] {
  if (m.kind === 'set') return m.ids;
  const removed = new Set(m.remove);
  const next = current.filter((id) => !removed.has(id));
  for (const id of m.add) if (!next.includes(id)) next.push(id);
  return next;
}

function permissionsFor(
  options: ImportOptions,
  r: Resolved,
  mirror: UserSnapshot | undefined,
): { roles: Membership | null; groups: Membership | null; accessLevel?: string | null } {
  const set = (ids: number[]): Membership => ({ kind: 'set', ids });
  switch (options.permissions.kind) {
    case 'fromFile':
      return { roles: r.roles, groups: r.groups };
    case 'assignGroups':
      return { roles: null, groups: set(options.permissions.groupIds) };
    case 'mirrorUser':
      return mirror
        ? { roles: set(mirror.roleIds), groups: set(mirror.groupIds), accessLevel: mirror.accessLevel }
        : { roles: null, groups: null };
  }
}

function newUser(
  row: RowInput,
  r: Resolved,
  env: UsersEnv,
  options: ImportOptions,
  mirror: UserSnapshot | undefined,
  contacts: Map<string, { id: number }>,
): NewUser {
  const v = row.values;
  const email = str(v.email)!;
  const firstName = str(v.firstName) ?? '';
  const lastName = str(v.lastName) ?? '';
  const perms = permissionsFor(options, r, mirror);
  const customerId = r.customerId!;
  return {
    email,
    username: str(v.username) ?? '',
    firstName,
    lastName,
    displayName: str(v.displayName) ?? defaultDisplayName(firstName, lastName, email),
    customerId,
    siteId: r.siteId ?? defaultSite(env, customerId),
    contactId: r.contactRef ? (contacts.get(r.contactRef)?.id ?? null) : null,
    userType: (str(v.userType) as UserType | null) ?? DEFAULT_USER_TYPE,
    ...optionalTexts((f) => str(v[f])),
    // Mirroring a user copies its access level with its permissions.
    ...(perms.accessLevel !== undefined && { accessLevel: perms.accessLevel }),
    attributes: r.attributes,
    status: (str(v.status) as UserStatus | null) ?? 'pending',
    roleIds: perms.roles ? applyMembership(perms.roles, []) : [],
    groupIds: perms.groups ? applyMembership(perms.groups, []) : [],
  };
}

/**
 * The user after the row is applied. A column absent from the file never changes anything; an
 * empty cell keeps the value, or clears it when the admin chose "clear" (never a required value).
 */
function updatedUser(
  current: UserSnapshot,
  row: RowInput,
  r: Resolved,
  env: UsersEnv,
  options: ImportOptions,
  mirror: UserSnapshot | undefined,
  contacts: Map<string, { id: number }>,
): NewUser {
  const v = row.values;
  const clear = options.emptyCells === 'clear';
  const pick = <T>(key: string, next: T | null, now: T, cleared: T): T => {
    if (!(key in v)) return now;
    if (next === null) return clear ? cleared : now;
    return next;
  };
  const perms = permissionsFor(options, r, mirror);
  const firstName = pick('firstName', str(v.firstName), current.firstName, '');
  const lastName = pick('lastName', str(v.lastName), current.lastName, '');
  const customerId =
    r.customerId !== null && 'customer' in v && str(v.customer) !== null ? r.customerId : current.customerId;
  const movedCustomer = customerId !== current.customerId;
  const siteId = r.siteId ?? (movedCustomer ? defaultSite(env, customerId) : current.siteId);
  return {
    email: str(v.email) ?? current.email,
    username: pick('username', str(v.username), current.username, current.username),
    firstName,
    lastName,
    displayName: pick(
      'displayName',
      str(v.displayName),
      current.displayName,
      defaultDisplayName(firstName, lastName, current.email),
    ),
    customerId,
    siteId,
    contactId:
      r.contactRef !== null
        ? (contacts.get(r.contactRef)?.id ?? current.contactId)
        : pick('contact', null, current.contactId, null),
    userType: pick('userType', str(v.userType) as UserType | null, current.userType, DEFAULT_USER_TYPE),
    ...optionalTexts((f) => pick(f, str(v[f]), current[f], null)),
    ...(perms.accessLevel !== undefined && { accessLevel: perms.accessLevel }),
    attributes: mergeAttributes(current.attributes, r.attributes, row, clear),
    status: pick('status', str(v.status) as UserStatus | null, current.status, current.status),
    roleIds:
      perms.roles === null
        ? clear && 'roles' in v && options.permissions.kind === 'fromFile'
          ? []
          : current.roleIds
        : applyMembership(perms.roles, current.roleIds),
    groupIds:
      perms.groups === null
        ? clear && 'groups' in v && options.permissions.kind === 'fromFile'
          ? []
          : current.groupIds
        : applyMembership(perms.groups, current.groupIds),
  };
}

function mergeAttributes(
  current: UserSnapshot['attributes'],
  read: Resolved['attributes'],
  row: RowInput,
  clear: boolean,
): UserSnapshot['attributes'] {
  const out = { ...current };
  for (const [key, value] of Object.entries(read)) {
    if (value !== null) out[key] = value;
    else if (clear && `attr.${key}` in row.values) delete out[key];
  }
  return out;
}

const sameList = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

export function sameUser(a: UserSnapshot, b: NewUser): boolean {
  return sameUserValues(a, b) && sameList(a.roleIds, b.roleIds) && sameList(a.groupIds, b.groupIds);
}

/** Gives every new user without a username one made from the email (core/domain/username.ts). */
export function assignUsernames(users: NewUser[], store: UsersStore): Promise<void> {
  return assignDerivedUsernames(users, {
    takenKeys: async (keys) => new Set((await store.findUsernameKeys(keys)).keys()),
    keysWithPrefix: (prefix) => store.usernameKeysWithPrefix(prefix),
  });
}

/** A user as template cells (names for ids), so that the file can be edited and uploaded back. */
function templateCells(u: UserSnapshot, dir: UsersEnv['directory']): Record<string, string> {
  const name = <T extends { id: number; name: string }>(list: T[], id: number) =>
    list.find((x) => x.id === id)?.name ?? '';
  const cells: Record<string, string> = {
    email: u.email,
    username: u.username,
    firstName: u.firstName,
    lastName: u.lastName,
    displayName: u.displayName,
    customer: name(dir.customers, u.customerId),
    site: name(dir.sites, u.siteId),
    userType: u.userType,
    roles: u.roleIds.map((id) => name(dir.roles, id)).join('; '),
    groups: u.groupIds.map((id) => name(dir.groups, id)).join('; '),
    status: u.status === 'disabled' || u.status === 'active' || u.status === 'pending' ? u.status : '',
    contact: u.contactId === null ? '' : String(u.contactId),
    userId: String(u.id),
  };
  for (const f of OPTIONAL_TEXT_FIELDS) cells[f] = u[f] ?? '';
  for (const def of dir.attributes) {
    const v = u.attributes[def.key];
    cells[`attr.${def.key}`] = v === null || v === undefined ? '' : String(v);
  }
  return cells;
}

/** The portal roles a row may name (an inactive one is refused), for the template's drop-down. */
export function activeRoleNames(directory: Pick<UsersDirectory, 'roles'>): string[] {
  return directory.roles
    .filter((r) => r.active)
    .map((r) => r.name)
    .sort(byName);
}

const byName = (a: string, b: string): number => a.localeCompare(b);
