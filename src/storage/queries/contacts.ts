import type { Selectable } from 'kysely';
import type { Contact } from '../../core/domain/entities.js';
import type { Db } from '../database.js';
import type { ContactsTable } from '../schema.js';

const toContact = (r: Selectable<ContactsTable>): Contact => ({
  id: r.id,
  customerId: r.customer_id,
  firstName: r.first_name,
  lastName: r.last_name,
  email: r.email,
  externalId: r.external_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface ContactValues {
  customerId: number;
  firstName: string;
  lastName: string;
  email: string | null;
  externalId: string | null;
}

export async function findContact(db: Db, id: number): Promise<Contact | undefined> {
  const r = await db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toContact(r);
}

export async function listContacts(
  db: Db,
  filter: { customerId?: number; afterId?: number; limit: number },
): Promise<Contact[]> {
  let q = db.selectFrom('contacts').selectAll();
  if (filter.customerId !== undefined) q = q.where('customer_id', '=', filter.customerId);
  if (filter.afterId !== undefined) q = q.where('id', '>', filter.afterId);
  return (await q.orderBy('id').limit(filter.limit).execute()).map(toContact);
}

export async function insertContact(db: Db, v: ContactValues, at: string): Promise<Contact> {
  const r = await db
    .insertInto('contacts')
    .values({
      customer_id: v.customerId,
      first_name: v.firstName,
      last_name: v.lastName,
      email: v.email,
      external_id: v.externalId,
      created_at: at,
      updated_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toContact(r);
}

export async function updateContact(
  db: Db,
  id: number,
  v: Partial<ContactValues>,
  at: string,
): Promise<Contact> {
  const r = await db
    .updateTable('contacts')
    .set({
      ...(v.customerId !== undefined && { customer_id: v.customerId }),
      ...(v.firstName !== undefined && { first_name: v.firstName }),
      ...(v.lastName !== undefined && { last_name: v.lastName }),
      ...(v.email !== undefined && { email: v.email }),
      ...(v.externalId !== undefined && { external_id: v.externalId }),
      updated_at: at,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toContact(r);
}

export async function deleteContact(db: Db, id: number): Promise<void> {
  await db.deleteFrom('contacts').where('id', '=', id).execute();
}

export async function contactHasUser(db: Db, id: number): Promise<boolean> {
  const r = await db.selectFrom('users').select('id').where('contact_id', '=', id).executeTakeFirst();
  return r !== undefined;
}

export async function countContacts(db: Db, filter: { customerId?: number }): Promise<number> {
  let q = db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n'));
  if (filter.customerId !== undefined) q = q.where('customer_id', '=', filter.customerId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}
