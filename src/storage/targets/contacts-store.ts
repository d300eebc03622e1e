import type { ContactInfo } from '../../core/import/targets/contact-users.js';
import type { Db } from '../database.js';

/** Contacts by our id (as text) and by external id, with the id of their portal user if any. */
export async function contactsByRef(db: Db, refs: readonly string[]): Promise<Map<string, ContactInfo>> {
  const out = new Map<string, ContactInfo>();
  if (refs.length === 0) return out;
  const ids = refs.filter((r) => /^\d{1,9}$/.test(r)).map(Number);
  for (let i = 0; i < refs.length; i += 500) {
    const part = refs.slice(i, i + 500);
    const rows = await db
      .selectFrom('contacts')
      .leftJoin('users', 'users.contact_id', 'contacts.id')
      .select([
        'contacts.id',
        'contacts.customer_id',
        'contacts.first_name',
        'contacts.last_name',
        'contacts.email',
        'contacts.external_id',
        'users.id as user_id',
      ])
      .where((eb) =>
        eb.or([
          ...(i === 0 && ids.length > 0 ? [eb('contacts.id', 'in', ids)] : []),
          eb('contacts.external_id', 'in', part),
        ]),
      )
      .execute();
    for (const r of rows) {
      const info: ContactInfo = {
        id: r.id,
        customerId: r.customer_id,
        firstName: r.first_name,
        lastName: r.last_name,
        email: r.email,
        externalId: r.external_id,
        userId: r.user_id ?? null,
      };
      out.set(String(r.id), info);
      if (r.external_id) out.set(r.external_id, info);
    }
  }
  return out;
}
