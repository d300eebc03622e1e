import { type Actor, authorize } from '../../core/access/policy.js';
import type { PortalUser } from '../../core/domain/entities.js';
import { foldKey } from '../../core/domain/text.js';
import { DEFAULT_SITE_NAME, HISTORICAL_STATUSES } from '../../core/domain/user.js';
import { Problems } from '../../core/problems.js';
import { isUniqueViolation } from '../../storage/errors.js';
import { contactHasUser, findContact } from '../../storage/queries/contacts.js';
import { findSite, findSiteByName } from '../../storage/queries/customers.js';
import * as q from '../../storage/queries/users.js';
import type { AppContext } from '../context.js';
import { visibleCustomer } from '../customers.js';
import { audit, inTransaction } from '../shared.js';
import { emailTaken, usernameTaken } from './create-user.js';
import { getUser } from './get-user.js';
import {
  checkMemberships,
  LIMITS,
  readAttributes,
  readEmail,
  readName,
  readOptionalText,
  readStatus,
  readUsername,
  type UserInput,
} from './user-input.js';

export type UserPatch = Partial<UserInput>;

/** Changes what the patch names and nothing else; every change bumps the user's version. */
export async function updateUser(
  ctx: AppContext,
  actor: Actor,
  id: number,
  patch: UserPatch,
): Promise<PortalUser> {
  authorize(actor, 'users.manage');
  const current = await getUser(ctx, actor, id);
  const problems = new Problems();
  const values: Partial<q.UserValues> = {};

  if (patch.email !== undefined) {
    const { email, key } = readEmail(patch.email, problems);
    values.email = email;
    values.emailKey = key;
  }
  if (patch.username !== undefined && patch.username !== null) {
    const { username, key } = readUsername(patch.username, problems);
    values.username = username;
    values.usernameKey = key;
  }
  if (patch.firstName !== undefined)
    values.firstName = readName('firstName', patch.firstName, LIMITS.name, problems);
  if (patch.lastName !== undefined)
    values.lastName = readName('lastName', patch.lastName, LIMITS.name, problems);
  if (patch.displayName !== undefined) {
    const displayName = readOptionalText('displayName', patch.displayName, LIMITS.displayName, problems);
    values.displayName =
      displayName ??
      `${values.firstName ?? current.firstName} ${values.lastName ?? current.lastName}`.trim() ??
      current.email;
    if (values.displayName === '') values.displayName = values.email ?? current.email;
  }
  if (patch.userType !== undefined) values.userType = patch.userType;
  if (patch.accessLevel !== undefined) {
    values.accessLevel = readOptionalText('accessLevel', patch.accessLevel, LIMITS.accessLevel, problems);
  }
  if (patch.employeeNumber !== undefined) {
    values.employeeNumber = readOptionalText(
      'employeeNumber',
      patch.employeeNumber,
      LIMITS.employeeNumber,
      problems,
    );
  }
  // An unchanged status is no change, except a historical one, which is never accepted.
  if (
    patch.status !== undefined &&
    (patch.status !== current.status || HISTORICAL_STATUSES.includes(patch.status))
  )
    values.status = readStatus(patch.status, problems, 'existing');
  if (patch.attributes !== undefined) {
    values.attributes = await readAttributes(ctx.db, patch.attributes, current.attributes, problems);
  }
  await checkMemberships(ctx.db, patch.roleIds, patch.groupIds, problems);

  // Moving to another customer: it must be visible too, and the site follows (HQ unless named).
  const customerId = patch.customerId ?? current.customer.id;
  if (customerId !== current.customer.id) {
    await visibleCustomer(ctx, actor, customerId);
    values.customerId = customerId;
  }
  if (patch.siteId !== undefined || customerId !== current.customer.id) {
    const site = patch.siteId
      ? await findSite(ctx.db, patch.siteId)
      : await findSiteByName(ctx.db, customerId, foldKey(DEFAULT_SITE_NAME));
    if (!site || site.customerId !== customerId) {
      problems.add(
        'siteId',
        'site.not_found',
        `Site ${patch.siteId} does not belong to customer ${customerId}.`,
      );
    } else {
      values.siteId = site.id;
    }
  }
  if (patch.contactId !== undefined && patch.contactId !== current.contactId) {
    if (patch.contactId === null) values.contactId = null;
    else {
      const contact = await findContact(ctx.db, patch.contactId);
      if (!contact || contact.customerId !== customerId) {
        problems.add(
          'contactId',
          'contact.not_found',
          `Contact ${patch.contactId} is not a contact of this customer.`,
        );
      } else if (await contactHasUser(ctx.db, contact.id)) {
        problems.add('contactId', 'contact.has_user', 'This contact already has a portal user.');
      } else values.contactId = contact.id;
    }
  }
  problems.throwIfAny();

  if (values.emailKey && values.emailKey !== foldKey(current.email)) {
    const other = await q.findUserIdByEmailKey(ctx.db, values.emailKey);
    if (other !== undefined && other !== id) throw emailTaken(values.email!);
  }
  if (values.usernameKey) {
    const other = await q.findUserIdByUsernameKey(ctx.db, values.usernameKey);
    if (other !== undefined && other !== id) throw usernameTaken(values.username!);
  }

  try {
    await inTransaction(ctx, async (db) => {
      await q.updateUser(db, id, values, ctx.now().toISOString());
      if (patch.roleIds) await q.setUserRoles(db, id, patch.roleIds);
      if (patch.groupIds) await q.setUserGroups(db, id, patch.groupIds);
      await audit(ctx, db, actor, {
        action: values.status === 'disabled' ? 'user.disable' : 'user.update',
        entityType: 'user',
        entityId: id,
        customerId,
        details: { fields: Object.keys(patch) },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      if (values.emailKey && (await q.findUserIdByEmailKey(ctx.db, values.emailKey)) !== id) {
        throw emailTaken(values.email!);
      }
      throw usernameTaken(values.username ?? current.username);
    }
    throw e;
  }
  return getUser(ctx, actor, id);
}
