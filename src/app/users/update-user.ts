import { type Actor, authorize } from '../../core/access/policy.js';
import type { FieldChange } from '../../core/domain/changes.js';
import { emailKey } from '../../core/domain/email.js';
import type { PortalUser } from '../../core/domain/entities.js';
import {
  defaultDisplayName,
  employeeNumberKey,
  HISTORICAL_STATUSES,
  type NewUser,
  type UserState,
} from '../../core/domain/user.js';
import { userDiff } from '../../core/domain/user-diff.js';
import { usernameKey } from '../../core/domain/username.js';
import { Problems } from '../../core/problems.js';
import type { Db } from '../../storage/database.js';
import { isUniqueViolation } from '../../storage/errors.js';
import { contactHasUser, findContact } from '../../storage/queries/contacts.js';
import { updateUser as writeUser } from '../../storage/queries/user-writes.js';
import * as q from '../../storage/queries/users.js';
import { loadUsersDirectory } from '../../storage/targets/users-store.js';
import type { AppContext } from '../context.js';
import { visibleCustomer } from '../customers.js';
import { audit, inTransaction } from '../shared.js';
import { checkEmployeeNumberFree, emailTaken, siteFor, usernameTaken } from './create-user.js';
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
  const values: Partial<NewUser> = {};

  if (patch.email !== undefined) values.email = readEmail(patch.email, problems);
  if (patch.username !== undefined && patch.username !== null)
    values.username = readUsername(patch.username, problems);
  if (patch.firstName !== undefined)
    values.firstName = readName('firstName', patch.firstName, LIMITS.name, problems);
  if (patch.lastName !== undefined)
    values.lastName = readName('lastName', patch.lastName, LIMITS.name, problems);
  if (patch.displayName !== undefined) {
    const displayName = readOptionalText('displayName', patch.displayName, LIMITS.displayName, problems);
    values.displayName =
      displayName ??
      defaultDisplayName(
        values.firstName ?? current.firstName,
        values.lastName ?? current.lastName,
        values.email ?? current.email,
      );
  }
  if (patch.userType !== undefined) values.userType = patch.userType;
  Object.assign(values, readOptionalTexts(patch, problems));
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
  if (patch.roleIds) values.roleIds = patch.roleIds;
  if (patch.groupIds) values.groupIds = patch.groupIds;

  // Moving to another customer: it must be visible too, and the site follows (its default unless named).
  const customerId = patch.customerId ?? current.customer.id;
  if (customerId !== current.customer.id) {
    await visibleCustomer(ctx, actor, customerId);
    values.customerId = customerId;
  }
  if (patch.siteId !== undefined || customerId !== current.customer.id) {
    const siteId = await siteFor(ctx, customerId, patch.siteId ?? null, problems);
    if (siteId !== null) values.siteId = siteId;
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

  if (values.email !== undefined && emailKey(values.email) !== emailKey(current.email)) {
    const other = await q.findUserIdByEmailKey(ctx.db, emailKey(values.email));
    if (other !== undefined && other !== id) throw emailTaken(values.email);
  }
  if (values.username !== undefined) {
    const other = await q.findUserIdByUsernameKey(ctx.db, usernameKey(values.username));
    if (other !== undefined && other !== id) throw usernameTaken(values.username);
  }

  try {
    await inTransaction(ctx, async (db) => {
      // Only a new number is checked: users that already shared one keep it until it changes.
      if (
        values.employeeNumber !== undefined &&
        values.employeeNumber !== null &&
        employeeNumberKey(values.employeeNumber) !== employeeNumberKey(current.employeeNumber ?? '')
      )
        await checkEmployeeNumberFree(db, actor, values.employeeNumber, id);
      const before = (await q.userStates(db, [id])).get(id);
      await writeUser(db, id, values, ctx.now().toISOString());
      const changes = before ? await changesOf(db, before) : [];
      await audit(ctx, db, actor, {
        action: values.status === 'disabled' ? 'user.disable' : 'user.update',
        entityType: 'user',
        entityId: id,
        customerId,
        details: { fields: Object.keys(patch), changes },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      if (values.email && (await q.findUserIdByEmailKey(ctx.db, emailKey(values.email))) !== id) {
        throw emailTaken(values.email);
      }
      throw usernameTaken(values.username ?? current.username);
    }
    throw e;
  }
  return getUser(ctx, actor, id);
}

/** What a write did to a user, before → after, read back in the write's own transaction. */
async function changesOf(db: Db, before: UserState): Promise<FieldChange[]> {
  const after = (await q.userStates(db, [before.id])).get(before.id);
  if (!after) return [];
  return userDiff(before, after, await loadUsersDirectory(db));
}
