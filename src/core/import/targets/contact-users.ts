import { crmIdCandidates } from '../../domain/crm-id.js';
import { checkEmail, emailKey } from '../../domain/email.js';
import { foldKey } from '../../domain/text.js';
import {
  DEFAULT_SITE_NAME,
  DEFAULT_USER_TYPE,
  defaultDisplayName,
  optionalTexts,
} from '../../domain/user.js';
import type { CellValue } from '../cells.js';
import type { InvitePort } from '../invite-port.js';
import type { RowProblem } from '../problems.js';
import type { CheckedRow, ImportTarget, RowResult, TargetField } from '../target.js';
import { problem } from '../validate.js';
import { resolveRoleNames } from './role-names.js';
import { type ContactUsersOptions, checkUserOptions, contactUsersOptionsSchema } from './user-options.js';
import { userRestorePoint } from './user-restore.js';
import type { NewUser, UserSnapshot, UsersDirectory, UsersStore } from './users.js';
import { activeRoleNames, assignUsernames } from './users.js';

/** A contact as this target needs it: who it is, where it belongs, and whether it has a user. */
export interface ContactInfo {
  id: number;
  customerId: number;
  firstName: string;
  lastName: string;
  email: string | null;
  externalId: string | null;
  userId: number | null;
}

export interface ContactUsersEnv {
  directory: UsersDirectory;
  store: UsersStore;
  /** Contacts by our id (as text) and by external id. */
  contacts(refs: readonly string[]): Promise<Map<string, ContactInfo>>;
  scopeCustomerId: number | null;
  /** Invites the users a batch created (with sendInvites), in the batch's transaction. */
  invites?: InvitePort;
}

const FIELDS: TargetField[] = [
  {
    key: 'contactId',
    column: 'ContactId',
    label: 'Contact ID',
    type: 'text',
    required: true,
    uniqueInFile: true,
    maxLength: 100,
    description:
      'The contact: its Roster id, or its CRM id (15-character ids are converted to the 18-character form).',
    synonyms: ['Contact ID', 'Contact', 'CRM ID', 'Salesforce ID', 'External ID'],
  },
  {
    key: 'role',
    column: 'Role',
    label: 'Role',
    type: 'text',
    required: true,
    multi: true,
    maxLength: 100,
    description: 'Portal role name(s), exactly as in Roster (case matters); several separated by ;.',
    synonyms: ['Roles', 'Portal role'],
  },
];

const text = (v: CellValue | undefined) => (v === null || v === undefined ? null : String(v));

/** The contact a cell names, trying our id, the id as written, and its 18-character form. */
function lookup(ref: string, contacts: Map<string, ContactInfo>): ContactInfo | undefined {
  for (const candidate of crmIdCandidates(ref)) {
    const found = contacts.get(candidate);
    if (found) return found;
  }
  return undefined;
}

function refsOf(values: (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null).flatMap(crmIdCandidates))];
}

/**
 * Portal users for contacts that exist already (e.g. synced from a CRM): name and email come from
 * the contact, the role from the file. Insert only: a contact that has a user is reported.
 */
export const contactUsersTarget: ImportTarget<ContactUsersEnv, ContactUsersOptions, UserSnapshot> = {
  name: 'contact-users',
  label: 'Portal users from contacts',
  description: 'Create portal users for existing contacts, by contact id or CRM id, with a role each.',
  modes: ['insert'],
  keyField: 'contactId',
  options: { schema: contactUsersOptionsSchema, check: checkUserOptions },
  restorePoint: userRestorePoint<ContactUsersEnv>(),

  fields: () => FIELDS,
  templateChoices: (env) => ({ role: activeRoleNames(env.directory) }),

  async check(rows, env) {
    const contacts = await env.contacts(refsOf(rows.map((r) => text(r.values.contactId))));
    const emails = [...contacts.values()].map((c) => (c.email ? emailKey(c.email) : '')).filter(Boolean);
    const taken = await env.store.findByEmailKeys(emails);
    return rows.map((row): CheckedRow => {
      const out: RowProblem[] = [];
      const col = (k: string) => row.columns[k] ?? null;
      const ref = text(row.values.contactId)!;
      const contact = lookup(ref, contacts);
      if (!contact || (env.scopeCustomerId !== null && contact.customerId !== env.scopeCustomerId)) {
        out.push(
          problem(
            row.row,
            col('contactId'),
            ref,
            'contact.not_found',
            `Contact not found: no contact has the id "${ref}".`,
            'cell',
          ),
        );
      } else if (contact.userId !== null) {
        out.push(
          problem(
            row.row,
            col('contactId'),
            ref,
            'contact.has_user',
            'User already exists: this contact has a portal user.',
            'row',
          ),
        );
      } else if (!contact.email || checkEmail(contact.email) !== null) {
        out.push(
          problem(
            row.row,
            col('contactId'),
            ref,
            'contact.no_email',
            'The contact has no valid email address; add one to the contact first.',
            'row',
          ),
        );
      } else if (taken.has(emailKey(contact.email))) {
        out.push(
          problem(
            row.row,
            col('contactId'),
            ref,
            'user.email_taken',
            `A portal user with the contact's email ${contact.email} exists.`,
            'row',
          ),
        );
      }
      const names = (row.values.role as string[] | null) ?? [];
      out.push(
        ...resolveRoleNames(names, env.directory.roles, { row: row.row, column: col('role') }).problems,
      );
      return { problems: out, action: out.length > 0 ? null : 'create' };
    });
  },

  async commit(rows, env, options, importId) {
    const contacts = await env.contacts(refsOf(rows.map((r) => text(r.values.contactId))));
    const hq = (customerId: number) =>
      env.directory.sites.find(
        (s) => s.customerId === customerId && foldKey(s.name) === foldKey(DEFAULT_SITE_NAME),
      )!.id;
    const planned = rows.map((row) => {
      const c = lookup(text(row.values.contactId)!, contacts)!;
      const names = (row.values.role as string[] | null) ?? [];
      const roleIds = resolveRoleNames(names, env.directory.roles, { row: row.row, column: null }).ids;
      const user: NewUser = {
        email: c.email!,
        username: '',
        firstName: c.firstName,
        lastName: c.lastName,
        displayName: defaultDisplayName(c.firstName, c.lastName, c.email!),
        customerId: c.customerId,
        siteId: hq(c.customerId),
        contactId: c.id,
        userType: DEFAULT_USER_TYPE,
        ...optionalTexts(() => null),
        attributes: {},
        status: 'pending',
        roleIds: options.permissions.kind === 'assignGroups' ? [] : roleIds,
        groupIds: options.permissions.kind === 'assignGroups' ? options.permissions.groupIds : [],
      };
      return { row, user };
    });
    await assignUsernames(
      planned.map((p) => p.user),
      env.store,
    );
    const inserted = await env.store.insert(
      planned.map((p) => p.user),
      importId,
    );
    if (options.sendInvites && env.invites) {
      const created = planned.flatMap(({ user }) => inserted.get(emailKey(user.email)) ?? []);
      await env.invites.inviteCreated(created, importId, options.inviteMessage ?? null);
    }
    return planned.map(({ row, user }): RowResult<UserSnapshot> => {
      const id = inserted.get(emailKey(user.email));
      return id === undefined
        ? {
            row: row.row,
            action: 'failed',
            entityId: null,
            message: 'The contact got a portal user, or its email was taken, while this import ran.',
          }
        : {
            row: row.row,
            action: 'created',
            entityId: id,
            message: null,
            restore: { change: 'created', before: null, versionAfter: 1 },
          };
    });
  },
};
