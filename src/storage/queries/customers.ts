import type { Selectable } from 'kysely';
import type { Customer, Site } from '../../core/domain/entities.js';
import type { Db } from '../database.js';
import type { CustomersTable, SitesTable } from '../schema.js';

const toCustomer = (r: Selectable<CustomersTable>): Customer => ({
  id: r.id,
  name: r.name,
  externalId: r.external_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toSite = (r: Selectable<SitesTable>): Site => ({
  id: r.id,
  customerId: r.customer_id,
  name: r.name,
  createdAt: r.created_at,
});

export async function findCustomer(db: Db, id: number): Promise<Customer | undefined> {
  const r = await db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toCustomer(r);
}

export async function findCustomerByNameKey(db: Db, nameKey: string): Promise<Customer | undefined> {
  const r = await db.selectFrom('customers').selectAll().where('name_key', '=', nameKey).executeTakeFirst();
  return r && toCustomer(r);
}

export async function listCustomers(db: Db, filter: { onlyId?: number; q?: string }): Promise<Customer[]> {
  let q = db.selectFrom('customers').selectAll();
  if (filter.onlyId !== undefined) q = q.where('id', '=', filter.onlyId);
  if (filter.q) q = q.where('name_key', 'like', `${filter.q.replace(/[%_]/g, '')}%`);
  return (await q.orderBy('name_key').execute()).map(toCustomer);
}

export async function insertCustomer(
  db: Db,
  v: { name: string; nameKey: string; externalId: string | null; at: string },
): Promise<Customer> {
  const r = await db
    .insertInto('customers')
    .values({
      name: v.name,
      name_key: v.nameKey,
      external_id: v.externalId,
      created_at: v.at,
      updated_at: v.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toCustomer(r);
}

export async function updateCustomer(
  db: Db,
  id: number,
  v: { name?: string; nameKey?: string; externalId?: string | null; at: string },
): Promise<Customer> {
  const r = await db
    .updateTable('customers')
    .set({
      ...(v.name !== undefined && { name: v.name, name_key: v.nameKey }),
      ...(v.externalId !== undefined && { external_id: v.externalId }),
      updated_at: v.at,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toCustomer(r);
}

export async function deleteCustomer(db: Db, id: number): Promise<void> {
  await db.deleteFrom('customers').where('id', '=', id).execute();
}

export async function customerHasDependents(
  db: Db,
  id: number,
): Promise<{ users: number; contacts: number }> {
  const users = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('customer_id', '=', id)
    .executeTakeFirstOrThrow();
  const contacts = await db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('customer_id', '=', id)
    .executeTakeFirstOrThrow();
  return { users: Number(users.n), contacts: Number(contacts.n) };
}

export async function listSites(db: Db, customerId: number): Promise<Site[]> {
  return (
    await db
      .selectFrom('sites')
      .selectAll()
      .where('customer_id', '=', customerId)
      .orderBy('name_key')
      .execute()
  ).map(toSite);
}

export async function findSite(db: Db, id: number): Promise<Site | undefined> {
  const r = await db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toSite(r);
}

export async function insertSite(
  db: Db,
  v: { customerId: number; name: string; nameKey: string; at: string },
): Promise<Site> {
  const r = await db
    .insertInto('sites')
    .values({ customer_id: v.customerId, name: v.name, name_key: v.nameKey, created_at: v.at })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSite(r);
}

export async function renameSite(db: Db, id: number, name: string, nameKey: string): Promise<Site> {
  const r = await db
    .updateTable('sites')
    .set({ name, name_key: nameKey })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSite(r);
}

export async function deleteSite(db: Db, id: number): Promise<void> {
  await db.deleteFrom('sites').where('id', '=', id).execute();
}

export async function countUsersAtSite(db: Db, siteId: number): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('site_id', '=', siteId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
