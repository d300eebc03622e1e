import type { Selectable, SelectQueryBuilder } from 'kysely';
import type { Contact } from '../../core/domain/entities.js';
import type { Db } from '../database.js';
import type { ContactsTable, Database } from '../schema.js';
import { startsWith } from './prefix.js';

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

export interface ContactFilter {
  customerId?: number;
  /**
   * Lower-cased prefix of first name, last name, "first last" or email; or the external id exactly
   * as written (CRM ids are matched, not searched).
   */
  search?: { prefix: string; externalId: string };
}

function applyFilter<O>(
  q: SelectQueryBuilder<Database, 'contacts', O>,
  f: ContactFilter,
): SelectQueryBuilder<Database, 'contacts', O> {
  let out = q;
  if (f.customerId !== undefined) out = out.where('customer_id', '=', f.customerId);
  const search = f.search;
  if (search) {
    const { prefix, externalId } = search;
    out = out.where((eb) => {
      const any = [
        startsWith(eb, 'first_name_key', prefix),
        startsWith(eb, 'last_name_key', prefix),
        startsWith(eb, 'email_key', prefix),
        eb('external_id', '=', externalId),
      ];
      // "ann smi": the whole first name, then a prefix of the last name.
      const space = prefix.indexOf(' ');
      if (space > 0) {
        any.push(
          eb.and([
            eb('first_name_key', '=', prefix.slice(0, space)),
            startsWith(eb, 'last_name_key', prefix.slice(space + 1)),
          ]),
        );
      }
      return eb.or(any);
    });
  }
  return out;
}

export async function listContacts(
  db: Db,
  filter: ContactFilter & { afterId?: number; limit: number },
): Promise<Contact[]> {
  let q = applyFilter(db.selectFrom('contacts').selectAll(), filter);
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
      first_name_key: v.firstName.toLowerCase(),
      last_name_key: v.lastName.toLowerCase(),
      email_key: v.email === null ? null : v.email.toLowerCase(),
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
      ...(v.firstName !== undefined && {
        first_name: v.firstName,
        first_name_key: v.firstName.toLowerCase(),
      }),
      ...(v.lastName !== undefined && { last_name: v.lastName, last_name_key: v.lastName.toLowerCase() }),
      ...(v.email !== undefined && {
        email: v.email,
        email_key: v.email === null ? null : v.email.toLowerCase(),
      }),
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

export async function countContacts(db: Db, filter: ContactFilter): Promise<number> {
  const q = applyFilter(
    db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')),
    filter,
  );
  return Number((await q.executeTakeFirstOrThrow()).n);
}
