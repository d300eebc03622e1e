import { type Actor, assertInScope, authorize } from '../core/access/policy.js';
import { checkEmail } from '../core/domain/email.js';
import type { Contact, Page } from '../core/domain/entities.js';
import { foldKey, normalizeOptional, normalizeText } from '../core/domain/text.js';
import { errors } from '../core/errors.js';
import { Problems } from '../core/problems.js';
import { isUniqueViolation } from '../storage/errors.js';
import * as q from '../storage/queries/contacts.js';
import type { AppContext } from './context.js';
import { visibleCustomer } from './customers.js';
import { audit, inTransaction } from './shared.js';

const notFound = (id: number) => () => errors.notFound('contact', id);

export interface ContactInput {
  customerId: number;
  firstName?: string;
  lastName?: string;
  email?: string | null;
  externalId?: string | null;
}

export async function listContacts(
  ctx: AppContext,
  actor: Actor,
  filter: { customerId?: number; search?: string; cursor?: number; limit: number },
): Promise<Page<Contact>> {
  authorize(actor, 'directory.read');
  if (filter.customerId !== undefined) await visibleCustomer(ctx, actor, filter.customerId);
  const customerId = actor.customerId ?? filter.customerId;
  const externalId = normalizeText(filter.search ?? '');
  const where: q.ContactFilter = {
    ...(customerId !== undefined && { customerId }),
    ...(externalId !== '' && { search: { prefix: foldKey(externalId), externalId } }),
  };
  const items = await q.listContacts(ctx.db, {
    ...where,
    ...(filter.cursor !== undefined && { afterId: filter.cursor }),
    limit: filter.limit + 1,
  });
  const total = await q.countContacts(ctx.db, where);
  const more = items.length > filter.limit;
  const page = items.slice(0, filter.limit);
  return { items: page, total, nextCursor: more ? String(page[page.length - 1]!.id) : null };
}

export async function getContact(ctx: AppContext, actor: Actor, id: number): Promise<Contact> {
  authorize(actor, 'directory.read');
  return visibleContact(ctx, actor, id);
}

async function visibleContact(ctx: AppContext, actor: Actor, id: number): Promise<Contact> {
  const contact = await q.findContact(ctx.db, id);
  if (!contact) throw notFound(id)();
  assertInScope(actor, contact.customerId, notFound(id));
  return contact;
}

function readContact(input: Partial<ContactInput>): Partial<q.ContactValues> {
  const problems = new Problems();
  const out: Partial<q.ContactValues> = {};
  if (input.customerId !== undefined) out.customerId = input.customerId;
  if (input.firstName !== undefined) out.firstName = normalizeText(input.firstName);
  if (input.lastName !== undefined) out.lastName = normalizeText(input.lastName);
  if (input.email !== undefined) {
    const email = normalizeOptional(input.email);
    if (email !== null && checkEmail(email) !== null) {
      problems.add('email', 'email.invalid', `"${email}" is not a valid email address.`);
    }
    out.email = email;
  }
  if (input.externalId !== undefined) out.externalId = normalizeOptional(input.externalId);
  problems.throwIfAny();
  return out;
}

const externalIdTaken = (id: string | null | undefined) =>
  errors.field(
    'contact.external_id_taken',
    'externalId',
    `Another contact already has the external id "${id}".`,
  );

export async function createContact(ctx: AppContext, actor: Actor, input: ContactInput): Promise<Contact> {
  authorize(actor, 'users.manage');
  await visibleCustomer(ctx, actor, input.customerId);
  const values = readContact(input);
  try {
    return await inTransaction(ctx, async (db) => {
      const contact = await q.insertContact(
        db,
        {
          customerId: input.customerId,
          firstName: values.firstName ?? '',
          lastName: values.lastName ?? '',
          email: values.email ?? null,
          externalId: values.externalId ?? null,
        },
        ctx.now().toISOString(),
      );
      await audit(ctx, db, actor, {
        action: 'contact.create',
        entityType: 'contact',
        entityId: contact.id,
        customerId: contact.customerId,
      });
      return contact;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw externalIdTaken(values.externalId);
    throw e;
  }
}

export async function updateContact(
  ctx: AppContext,
  actor: Actor,
  id: number,
  input: Partial<ContactInput>,
): Promise<Contact> {
  authorize(actor, 'users.manage');
  const existing = await visibleContact(ctx, actor, id);
  if (input.customerId !== undefined && input.customerId !== existing.customerId) {
    await visibleCustomer(ctx, actor, input.customerId);
  }
  const values = readContact(input);
  try {
    return await inTransaction(ctx, async (db) => {
      const contact = await q.updateContact(db, id, values, ctx.now().toISOString());
      await audit(ctx, db, actor, {
        action: 'contact.update',
        entityType: 'contact',
        entityId: id,
        customerId: contact.customerId,
      });
      return contact;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw externalIdTaken(values.externalId);
    throw e;
  }
}

export async function deleteContact(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  authorize(actor, 'users.manage');
  const contact = await visibleContact(ctx, actor, id);
  await inTransaction(ctx, async (db) => {
    if (await q.contactHasUser(db, id)) {
      throw errors.conflict(
        'contact.in_use',
        'A portal user is linked to this contact; unlink or delete it first.',
      );
    }
    await q.deleteContact(db, id);
    await audit(ctx, db, actor, {
      action: 'contact.delete',
      entityType: 'contact',
      entityId: id,
      customerId: contact.customerId,
    });
  });
}
