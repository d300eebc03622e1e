import { type Actor, authorize } from '../../core/access/policy.js';
import { emailKey } from '../../core/domain/email.js';
import type { PortalUser } from '../../core/domain/entities.js';
import {
  DEFAULT_USER_TYPE,
  defaultDisplayName,
  defaultSiteId,
  employeeNumberKey,
  type NewUser,
  optionalTexts,
} from '../../core/domain/user.js';
import { assignUsernames, usernameKey } from '../../core/domain/username.js';
import { errors } from '../../core/errors.js';
import { Problems } from '../../core/problems.js';
import type { Db } from '../../storage/database.js';
import { isUniqueViolation } from '../../storage/errors.js';
import { contactHasUser, findContact } from '../../storage/queries/contacts.js';
import { listSites } from '../../storage/queries/customers.js';
import { insertUser } from '../../storage/queries/user-writes.js';
import * as q from '../../storage/queries/users.js';
import { usernameLookup } from '../../storage/queries/users.js';
import type { AppContext } from '../context.js';
import { visibleCustomer } from '../customers.js';
import { audit, inTransaction } from '../shared.js';
import { getUser } from './get-user.js';
import {
  checkMemberships,
  LIMITS,
  readAttributes,
  readEmail,
  readName,
  readOptionalText,
  readOptionalTexts,
  readStatus,
  readUsername,
  type UserInput,
} from './user-input.js';

export async function createUser(ctx: AppContext, actor: Actor, input: UserInput): Promise<PortalUser> {
  authorize(actor, 'users.manage');
  await visibleCustomer(ctx, actor, input.customerId);
  const problems = new Problems();
  const email = readEmail(input.email, problems);
  const given = input.username ? readUsername(input.username, problems) : null;
  const firstName = readName('firstName', input.firstName ?? '', LIMITS.name, problems);
  const lastName = readName('lastName', input.lastName ?? '', LIMITS.name, problems);
  const displayName =
    readOptionalText('displayName', input.displayName ?? null, LIMITS.displayName, problems) ??
    defaultDisplayName(firstName, lastName, email);
  const texts = { ...optionalTexts(() => null), ...readOptionalTexts(input, problems) };
  const status = readStatus(input.status ?? 'pending', problems, 'new');
  const attributes = await readAttributes(ctx.db, input.attributes ?? {}, null, problems);
  await checkMemberships(ctx.db, input.roleIds, input.groupIds, problems);

  const siteId = await siteFor(ctx, input.customerId, input.siteId ?? null, problems);
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

  if (await q.findUserIdByEmailKey(ctx.db, emailKey(email))) throw emailTaken(email);
  if (given && (await q.findUserIdByUsernameKey(ctx.db, usernameKey(given)))) throw usernameTaken(given);

  const user: NewUser = {
    email,
    username: given ?? '',
    firstName,
    lastName,
    displayName,
    customerId: input.customerId,
    siteId: siteId!,
    contactId: input.contactId ?? null,
    userType: input.userType ?? DEFAULT_USER_TYPE,
    ...texts,
    attributes,
    status,
    roleIds: input.roleIds ?? [],
    groupIds: input.groupIds ?? [],
  };
  try {
    const id = await inTransaction(ctx, async (db) => {
      // Made from the email when not given, as an import makes it (core/domain/username.ts).
      await checkEmployeeNumberFree(db, actor, user.employeeNumber, null);
      await assignUsernames([user], usernameLookup(db));
      const userId = await insertUser(db, user, ctx.now().toISOString());
      await audit(ctx, db, actor, {
        action: 'user.create',
        entityType: 'user',
        entityId: userId,
        customerId: input.customerId,
        details: { email, username: user.username },
      });
      return userId;
    });
    return getUser(ctx, actor, id);
  } catch (e) {
    // Lost a race with a concurrent write: say which key collided.
    if (isUniqueViolation(e)) {
      if (await q.findUserIdByEmailKey(ctx.db, emailKey(email))) throw emailTaken(email);
      throw usernameTaken(user.username || email);
    }
    throw e;
  }
}

/**
 * The site a user is given: the one named (it must belong to the customer), else the customer's
 * default site (core/domain/user.ts). Problems are added under `siteId`; null when there is one.
 */
export async function siteFor(
  ctx: AppContext,
  customerId: number,
  siteId: number | null,
  problems: Problems,
): Promise<number | null> {
  const sites = await listSites(ctx.db, customerId);
  const id = siteId ?? defaultSiteId(sites, customerId);
  if (id === null || !sites.some((s) => s.id === id)) {
    problems.add(
      'siteId',
      'site.not_found',
      siteId === null
        ? `Customer ${customerId} has no site to put the user in; add one first.`
        : `Site ${siteId} does not belong to customer ${customerId}.`,
    );
    return null;
  }
  return id;
}

export const emailTaken = (email: string) =>
  errors.field(
    'user.email_taken',
    'email',
    `A user with the email ${email} exists (emails are compared ignoring case).`,
  );

/**
 * Refuses an employee number another user holds (compared by its key: ignoring case and
 * surrounding spaces, leading zeros significant). Run in the write's transaction: it holds the
 * numbers (storage/queries/users.ts) so that no other write takes this one before it commits.
 */
export async function checkEmployeeNumberFree(
  db: Db,
  actor: Actor,
  employeeNumber: string | null,
  userId: number | null,
): Promise<void> {
  if (employeeNumber === null) return;
  await q.holdEmployeeNumbers(db);
  const key = employeeNumberKey(employeeNumber);
  const others = ((await q.employeeNumberHolders(db, [key])).get(key) ?? []).filter((h) => h.id !== userId);
  const other = others[0];
  if (!other) return;
  // A scoped admin is not told who holds it in a customer they do not manage.
  const who =
    actor.customerId === null || actor.customerId === other.customerId
      ? other.email
      : 'a user of another customer';
  throw errors.field(
    'user.employee_number_taken',
    'employeeNumber',
    `The employee number "${employeeNumber}" belongs to ${who}; employee numbers are unique among users (ignoring case and surrounding spaces).`,
  );
}

export const usernameTaken = (username: string) =>
  errors.field('user.username_taken', 'username', `The username "${username}" is taken.`);
