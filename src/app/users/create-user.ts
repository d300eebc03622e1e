import { type Actor, authorize } from '../../core/access/policy.js';
import type { PortalUser } from '../../core/domain/entities.js';
import { foldKey } from '../../core/domain/text.js';
import { DEFAULT_SITE_NAME, DEFAULT_USER_TYPE, defaultDisplayName } from '../../core/domain/user.js';
import { errors } from '../../core/errors.js';
import { Problems } from '../../core/problems.js';
import { isUniqueViolation } from '../../storage/errors.js';
import { contactHasUser, findContact } from '../../storage/queries/contacts.js';
import { findSite, findSiteByName } from '../../storage/queries/customers.js';
import * as q from '../../storage/queries/users.js';
import type { AppContext } from '../context.js';
import { visibleCustomer } from '../customers.js';
import { audit, inTransaction } from '../shared.js';
import { getUser } from './get-user.js';
import {
  checkMemberships,
  deriveUsername,
  LIMITS,
  readAttributes,
  readEmail,
  readName,
  readOptionalText,
  readStatus,
  readUsername,
  type UserInput,
} from './user-input.js';

export async function createUser(ctx: AppContext, actor: Actor, input: UserInput): Promise<PortalUser> {
  authorize(actor, 'users.manage');
  await visibleCustomer(ctx, actor, input.customerId);
  const problems = new Problems();
  const { email, key: emailKey } = readEmail(input.email, problems);
  const given = input.username ? readUsername(input.username, problems) : null;
  const firstName = readName('firstName', input.firstName ?? '', LIMITS.name, problems);
  const lastName = readName('lastName', input.lastName ?? '', LIMITS.name, problems);
  const displayName =
    readOptionalText('displayName', input.displayName ?? null, LIMITS.displayName, problems) ??
    defaultDisplayName(firstName, lastName, email);
  const accessLevel = readOptionalText(
    'accessLevel',
    input.accessLevel ?? null,
    LIMITS.accessLevel,
    problems,
  );
  const employeeNumber = readOptionalText(
    'employeeNumber',
    input.employeeNumber ?? null,
    LIMITS.employeeNumber,
    problems,
  );
  const status = readStatus(input.status ?? 'pending', problems, 'new');
  const attributes = await readAttributes(ctx.db, input.attributes ?? {}, null, problems);
  await checkMemberships(ctx.db, input.roleIds, input.groupIds, problems);

  const site = input.siteId
    ? await findSite(ctx.db, input.siteId)
    : await findSiteByName(ctx.db, input.customerId, foldKey(DEFAULT_SITE_NAME));
  if (!site || site.customerId !== input.customerId) {
    problems.add(
      'siteId',
      'site.not_found',
      `Site ${input.siteId} does not belong to customer ${input.customerId}.`,
    );
  }
  if (input.contactId) {
    const contact = await findContact(ctx.db, input.contactId);
    if (!contact || contact.customerId !== input.customerId) {
      problems.add(
        'contactId',
        'contact.not_found',
        `Contact ${input.contactId} is not a contact of this customer.`,
      );
    } else if (await contactHasUser(ctx.db, contact.id)) {
      problems.add('contactId', 'contact.has_user', 'This contact already has a portal user.');
    }
  }
  problems.throwIfAny();

  if (await q.findUserIdByEmailKey(ctx.db, emailKey)) throw emailTaken(email);
  if (given && (await q.findUserIdByUsernameKey(ctx.db, given.key))) throw usernameTaken(given.username);

  try {
    const id = await inTransaction(ctx, async (db) => {
      const username = given?.username ?? (await deriveUsername(db, email));
      const userId = await q.insertUser(
        db,
        {
          email,
          emailKey,
          username,
          usernameKey: foldKey(username),
          firstName,
          lastName,
          displayName,
          customerId: input.customerId,
          siteId: site!.id,
          contactId: input.contactId ?? null,
          userType: input.userType ?? DEFAULT_USER_TYPE,
          accessLevel,
          employeeNumber,
          attributes,
          status,
        },
        ctx.now().toISOString(),
      );
      await q.setUserRoles(db, userId, input.roleIds ?? []);
      await q.setUserGroups(db, userId, input.groupIds ?? []);
      await audit(ctx, db, actor, {
        action: 'user.create',
        entityType: 'user',
        entityId: userId,
        customerId: input.customerId,
        details: { email, username },
      });
      return userId;
    });
    return getUser(ctx, actor, id);
  } catch (e) {
    // Lost a race with a concurrent write: say which key collided.
    if (isUniqueViolation(e)) {
      if (await q.findUserIdByEmailKey(ctx.db, emailKey)) throw emailTaken(email);
      throw usernameTaken(given?.username ?? email);
    }
    throw e;
  }
}

export const emailTaken = (email: string) =>
  errors.field(
    'user.email_taken',
    'email',
    `A user with the email ${email} exists (emails are compared ignoring case).`,
  );

export const usernameTaken = (username: string) =>
  errors.field('user.username_taken', 'username', `The username "${username}" is taken.`);
