import { type Actor, assertInScope, authorize } from '../core/access/policy.js';
import type { Customer, Site } from '../core/domain/entities.js';
import { foldKey, normalizeOptional, normalizeText } from '../core/domain/text.js';
import { DEFAULT_SITE_NAME } from '../core/domain/user.js';
import { errors } from '../core/errors.js';
import { isUniqueViolation } from '../storage/errors.js';
import * as q from '../storage/queries/customers.js';
import type { AppContext } from './context.js';
import { audit, inTransaction } from './shared.js';

const customerNotFound = (id: number) => () => errors.notFound('customer', id);
const siteNotFound = (id: number) => () => errors.notFound('site', id);

export async function listCustomers(
  ctx: AppContext,
  actor: Actor,
  filter: { q?: string },
): Promise<Customer[]> {
  authorize(actor, 'directory.read');
  return q.listCustomers(ctx.db, {
    ...(actor.customerId !== null && { onlyId: actor.customerId }),
    ...(filter.q && { q: foldKey(filter.q) }),
  });
}

/** The customer, if the actor may see it; otherwise the same not-found as a missing one. */
export async function getCustomer(ctx: AppContext, actor: Actor, id: number): Promise<Customer> {
  authorize(actor, 'directory.read');
  return visibleCustomer(ctx, actor, id);
}

export async function visibleCustomer(ctx: AppContext, actor: Actor, id: number): Promise<Customer> {
  assertInScope(actor, id, customerNotFound(id));
  const customer = await q.findCustomer(ctx.db, id);
  if (!customer) throw customerNotFound(id)();
  return customer;
}

export async function createCustomer(
  ctx: AppContext,
  actor: Actor,
  input: { name: string; externalId?: string | null },
): Promise<Customer> {
  authorize(actor, 'customers.create');
  const name = normalizeText(input.name);
  if (name === '')
    throw errors.field('request.invalid', 'name', 'A customer needs a name.', { problem: 'name.required' });
  const at = ctx.now().toISOString();
  try {
    return await inTransaction(ctx, async (db) => {
      const customer = await q.insertCustomer(db, {
        name,
        nameKey: foldKey(name),
        externalId: normalizeOptional(input.externalId),
        at,
      });
      // Every customer has its default site.
      await q.insertSite(db, {
        customerId: customer.id,
        name: DEFAULT_SITE_NAME,
        nameKey: foldKey(DEFAULT_SITE_NAME),
        at,
      });
      await audit(ctx, db, actor, {
        action: 'customer.create',
        entityType: 'customer',
        entityId: customer.id,
        customerId: customer.id,
        details: { name },
      });
      return customer;
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw errors.field(
        'customer.name_taken',
        'name',
        `A customer named "${name}" (or with that external id) exists.`,
      );
    }
    throw e;
  }
}

export async function updateCustomer(
  ctx: AppContext,
  actor: Actor,
  id: number,
  input: { name?: string; externalId?: string | null },
): Promise<Customer> {
  authorize(actor, 'customers.manage');
  await visibleCustomer(ctx, actor, id);
  const name = input.name === undefined ? undefined : normalizeText(input.name);
  if (name === '')
    throw errors.field('request.invalid', 'name', 'A customer needs a name.', { problem: 'name.required' });
  try {
    return await inTransaction(ctx, async (db) => {
      const customer = await q.updateCustomer(db, id, {
        ...(name !== undefined && { name, nameKey: foldKey(name) }),
        ...(input.externalId !== undefined && { externalId: normalizeOptional(input.externalId) }),
        at: ctx.now().toISOString(),
      });
      await audit(ctx, db, actor, {
        action: 'customer.update',
        entityType: 'customer',
        entityId: id,
        customerId: id,
        details: { ...input },
      });
      return customer;
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw errors.field(
        'customer.name_taken',
        'name',
        `A customer named "${name}" (or with that external id) exists.`,
      );
    }
    throw e;
  }
}

export async function deleteCustomer(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  authorize(actor, 'customers.create');
  await visibleCustomer(ctx, actor, id);
  await inTransaction(ctx, async (db) => {
    const dependents = await q.customerHasDependents(db, id);
    if (dependents.users > 0 || dependents.contacts > 0) {
      throw errors.conflict(
        'customer.in_use',
        `This customer still has ${dependents.users} user(s) and ${dependents.contacts} contact(s); remove them first.`,
        dependents,
      );
    }
    await q.deleteCustomer(db, id);
    await audit(ctx, db, actor, {
      action: 'customer.delete',
      entityType: 'customer',
      entityId: id,
      customerId: id,
    });
  });
}

export async function listSites(ctx: AppContext, actor: Actor, customerId: number): Promise<Site[]> {
  authorize(actor, 'directory.read');
  await visibleCustomer(ctx, actor, customerId);
  return q.listSites(ctx.db, customerId);
}

/** A new site's name as stored, or a clear refusal when it is empty. */
export function siteNameOf(value: string): string {
  const name = normalizeText(value);
  if (name === '')
    throw errors.field('request.invalid', 'name', 'A site needs a name.', { problem: 'name.required' });
  return name;
}

export const siteNameTaken = (name: string) =>
  errors.field('site.name_taken', 'name', `This customer already has a site "${name}".`);

/** Writes a site and its audit entry in the caller's transaction (its name checked already). */
export async function writeSite(
  ctx: AppContext,
  db: AppContext['db'],
  actor: Actor,
  customerId: number,
  name: string,
): Promise<Site> {
  const site = await q.insertSite(db, {
    customerId,
    name,
    nameKey: foldKey(name),
    at: ctx.now().toISOString(),
  });
  await audit(ctx, db, actor, {
    action: 'site.create',
    entityType: 'site',
    entityId: site.id,
    customerId,
  });
  return site;
}

export async function createSite(
  ctx: AppContext,
  actor: Actor,
  customerId: number,
  input: { name: string },
): Promise<Site> {
  authorize(actor, 'customers.manage');
  await visibleCustomer(ctx, actor, customerId);
  const name = siteNameOf(input.name);
  try {
    return await inTransaction(ctx, (db) => writeSite(ctx, db, actor, customerId, name));
  } catch (e) {
    if (isUniqueViolation(e)) throw siteNameTaken(name);
    throw e;
  }
}

async function visibleSite(ctx: AppContext, actor: Actor, customerId: number, siteId: number): Promise<Site> {
  await visibleCustomer(ctx, actor, customerId);
  const site = await q.findSite(ctx.db, siteId);
  if (!site || site.customerId !== customerId) throw siteNotFound(siteId)();
  return site;
}

export async function renameSite(
  ctx: AppContext,
  actor: Actor,
  customerId: number,
  siteId: number,
  input: { name: string },
): Promise<Site> {
  authorize(actor, 'customers.manage');
  const site = await visibleSite(ctx, actor, customerId, siteId);
  const name = normalizeText(input.name);
  if (name === '')
    throw errors.field('request.invalid', 'name', 'A site needs a name.', { problem: 'name.required' });
  if (foldKey(site.name) === foldKey(DEFAULT_SITE_NAME) && foldKey(name) !== foldKey(DEFAULT_SITE_NAME)) {
    throw errors.conflict('site.default_site', `The default site ${DEFAULT_SITE_NAME} cannot be renamed.`);
  }
  try {
    return await inTransaction(ctx, async (db) => {
      const renamed = await q.renameSite(db, siteId, name, foldKey(name));
      await audit(ctx, db, actor, {
        action: 'site.rename',
        entityType: 'site',
        entityId: siteId,
        customerId,
      });
      return renamed;
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw errors.field('site.name_taken', 'name', `This customer already has a site "${name}".`);
    throw e;
  }
}

export async function deleteSite(
  ctx: AppContext,
  actor: Actor,
  customerId: number,
  siteId: number,
): Promise<void> {
  authorize(actor, 'customers.manage');
  const site = await visibleSite(ctx, actor, customerId, siteId);
  if (foldKey(site.name) === foldKey(DEFAULT_SITE_NAME)) {
    throw errors.conflict('site.default_site', `The default site ${DEFAULT_SITE_NAME} cannot be deleted.`);
  }
  await inTransaction(ctx, async (db) => {
    const users = await q.countUsersAtSite(db, siteId);
    if (users > 0) {
      throw errors.conflict('site.in_use', `${users} user(s) belong to this site; move them first.`, {
        users,
      });
    }
    await q.deleteSite(db, siteId);
    await audit(ctx, db, actor, { action: 'site.delete', entityType: 'site', entityId: siteId, customerId });
  });
}
