import { z } from 'zod';
import type { OptionIssue } from '../target.js';
import { USER_ACTIONS } from './user-actions.js';
import type { UsersDirectory, UsersStore } from './users.js';

/**
 * The options of the targets that create portal users: invitations, and where new users' roles
 * and groups come from. Their metadata is what the console's options step shows (see
 * `TargetOptions` in core/import/target.ts).
 */
const id = () => z.number().int().min(1).max(2_147_483_647);

const sendInvites = z.boolean().default(false).meta({
  title: 'Send activation emails to new users',
  description: 'Each user the import creates gets an activation email; users it updates get none.',
  widget: 'invitations',
});

const inviteMessage = z.string().max(2000).nullable().default(null).meta({
  title: 'Your message in the email (optional)',
  description: 'Your own words, added to each invitation email of this import and to its reminder.',
  shownWhen: 'sendInvites',
});

const fromFile = z
  .object({ kind: z.literal('fromFile') })
  .strict()
  .meta({ title: "Take them from the file's columns" });

const assignGroups = z
  .object({
    kind: z.literal('assignGroups'),
    groupIds: z.array(id()).min(1, 'Choose at least one group to assign.').max(100).meta({
      title: 'Groups to assign',
      widget: 'groups',
      placeholder: 'Choose groups',
      missing: 'Choose at least one group.',
    }),
  })
  .strict()
  .meta({ title: 'Assign groups to every row' });

const mirrorUser = z
  .object({
    kind: z.literal('mirrorUser'),
    userId: id().meta({
      title: 'User to mirror',
      widget: 'user',
      placeholder: 'Search by email or name',
      missing: 'Choose the user whose permissions new users get.',
    }),
  })
  .strict()
  .meta({ title: "Mirror an existing user's roles, groups and access level" });

const rolesAndGroups = { title: 'Roles and groups' };

/** The column that finds the existing user a row changes. */
export const MATCH_BY = ['email', 'username', 'employeeNumber', 'userId'] as const;
export type MatchBy = (typeof MATCH_BY)[number];

const matchBy = z
  .enum(MATCH_BY)
  .default('email')
  .meta({
    title: 'Find existing users by',
    description:
      'The column that names the user a row changes. By any other than Email, the Email column changes the user’s email; by user id (the user_id column of a success file or an export), a row never creates a user.',
    labels: {
      email: 'Email',
      username: 'Username',
      employeeNumber: 'Employee number',
      userId: 'Roster user id',
    },
  });

const defaultAction = z
  .enum(USER_ACTIONS)
  .default('upsert')
  .meta({
    title: 'What each row does',
    description:
      'For rows without an Action column (or with its cell empty). Disable, enable and delete need only the column that finds the user; a delete can be undone by rolling the import back.',
    labels: {
      upsert: 'Create or update (by the mode)',
      create: 'Create only',
      update: 'Update only',
      disable: 'Disable',
      enable: 'Enable',
      delete: 'Delete',
    },
  });

/**
 * Groups the file names that do not exist are created by the commit (never roles: they carry
 * permissions). Only admins who may manage groups may turn it on (`permission`, checked by the
 * application for any target's option that declares one).
 */
const createMissingGroups = z.boolean().default(false).meta({
  title: 'Create the groups the file names that do not exist',
  description:
    'Each one is noted on its rows in the review before the commit, which creates it without roles. Roles are never created. Administrators only.',
  permission: 'config.manage',
});

/** The users target's options. */
export const usersOptionsSchema = z
  .object({
    matchBy,
    defaultAction,
    sendInvites,
    inviteMessage,
    permissions: z
      .discriminatedUnion('kind', [fromFile, assignGroups, mirrorUser])
      .default({ kind: 'fromFile' })
      .meta(rolesAndGroups),
    createMissingGroups,
  })
  .strict();
export type UsersOptions = z.output<typeof usersOptionsSchema>;

/** The contact-users target's options: the roles come from the file, or groups are assigned. */
export const contactUsersOptionsSchema = z
  .object({
    sendInvites,
    inviteMessage,
    permissions: z
      .discriminatedUnion('kind', [fromFile, assignGroups])
      .default({ kind: 'fromFile' })
      .meta(rolesAndGroups),
  })
  .strict();
export type ContactUsersOptions = z.output<typeof contactUsersOptionsSchema>;

/**
 * The options checked against the directory as the admin sees it: the groups named exist, and a
 * mirrored user exists within the admin's customer scope (the environment is bound to it).
 */
export async function checkUserOptions(
  options: UsersOptions | ContactUsersOptions,
  env: { directory: UsersDirectory; store: UsersStore; scopeCustomerId: number | null },
): Promise<OptionIssue[]> {
  const perms = options.permissions;
  if (perms.kind === 'assignGroups') {
    const known = new Set(env.directory.groups.map((g) => g.id));
    const missing = perms.groupIds.filter((g) => !known.has(g));
    if (missing.length > 0)
      return [{ path: ['permissions', 'groupIds'], message: `No group with id ${missing.join(', ')}.` }];
  }
  if (perms.kind === 'mirrorUser') {
    const user = (await env.store.snapshots([perms.userId])).get(perms.userId);
    if (!user || (env.scopeCustomerId !== null && user.customerId !== env.scopeCustomerId)) {
      return [
        {
          path: ['permissions', 'userId'],
          message: `No user with id ${perms.userId} exists, or it is outside your scope.`,
        },
      ];
    }
  }
  return [];
}
