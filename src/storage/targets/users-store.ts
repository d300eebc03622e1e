import type { UserRowExtras } from '../../core/import/targets/user-actions.js';
import type { UsersDirectory, UsersStore } from '../../core/import/targets/users.js';
import { onSqliteConnection, pgQuery, prepared, sqliteHandle } from '../bulk.js';
import type { Db } from '../database.js';
import { deleteUsers, insertUsers, reinsertUsers, writeUsers } from '../queries/user-writes.js';
import {
  employeeNumberHolders,
  holdEmployeeNumbers,
  usernameKeysStartingWith,
  usernameOwners,
  userStates,
  userVersions,
} from '../queries/users.js';
import { attributesOf } from './records-store.js';

/** The users target's storage: batched lookups and writes, each a few statements per batch. */
export async function loadUsersDirectory(db: Db): Promise<UsersDirectory> {
  const [customers, sites, roles, groups, attributes] = await Promise.all([
    db.selectFrom('customers').select(['id', 'name', 'external_id']).execute(),
    db.selectFrom('sites').select(['id', 'customer_id', 'name']).execute(),
    db.selectFrom('portal_roles').select(['id', 'name', 'active']).execute(),
    db.selectFrom('groups').select(['id', 'name']).execute(),
    // The custom attributes of users only: record types have their own.
    attributesOf(db, 'user'),
  ]);
  return {
    customers: customers.map((c) => ({ id: c.id, name: c.name, externalId: c.external_id })),
    sites: sites.map((s) => ({ id: s.id, customerId: s.customer_id, name: s.name })),
    roles: roles.map((r) => ({ id: r.id, name: r.name, active: r.active === 1 })),
    groups,
    attributes,
  };
}

/** `now`: the clock writes are stamped with (the use case's). */
export function usersStore(db: Db, now: () => Date): UsersStore {
  return {
    async findByEmailKeys(keys) {
      const out = new Map<string, { id: number; customerId: number; usernameKey: string }>();
      const unique = [...new Set(keys)];
      if (unique.length === 0) return out;
      type Found = { id: number; email_key: string; customer_id: number; username_key: string };
      const sqlite = sqliteHandle(db);
      const rows = sqlite
        ? await onSqliteConnection(db, () => {
            const find = prepared(sqlite, BY_EMAIL_KEY_SQLITE);
            return unique.flatMap((k) => (find.get(k) as Found | undefined) ?? []);
          })
        : await pgQuery<Found>(db, BY_EMAIL_KEYS_POSTGRES, [unique]);
      for (const r of rows)
        out.set(r.email_key, { id: r.id, customerId: r.customer_id, usernameKey: r.username_key });
      return out;
    },

    findByEmployeeNumbers: (keys) => employeeNumberHolders(db, keys),
    holdEmployeeNumbers: () => holdEmployeeNumbers(db),

    async createGroups(names) {
      const at = now().toISOString();
      for (const name of names) {
        await db
          .insertInto('groups')
          .values({ name, description: '', created_at: at })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      return db
        .selectFrom('groups')
        .select(['id', 'name'])
        .where('name', 'in', [...names])
        .execute();
    },

    findUsernameKeys: (keys) => usernameOwners(db, keys),
    usernameKeysWithPrefix: (prefix) => usernameKeysStartingWith(db, prefix),

    async findContacts(refs) {
      const out = new Map<string, { id: number; customerId: number; userId: number | null }>();
      const ids = refs.filter((r) => /^\d{1,9}$/.test(r)).map(Number);
      const rows = await db
        .selectFrom('contacts')
        .leftJoin('users', 'users.contact_id', 'contacts.id')
        .select(['contacts.id', 'contacts.customer_id', 'contacts.external_id', 'users.id as user_id'])
        .where((eb) =>
          eb.or([
            ...(ids.length > 0 ? [eb('contacts.id', 'in', ids)] : []),
            eb('contacts.external_id', 'in', [...refs]),
          ]),
        )
        .execute();
      for (const r of rows) {
        const value = { id: r.id, customerId: r.customer_id, userId: r.user_id ?? null };
        out.set(String(r.id), value);
        if (r.external_id) out.set(r.external_id, value);
      }
      return out;
    },

    async page(after, limit, customerId) {
      let q = db.selectFrom('users').select('id').where('id', '>', after);
      if (customerId !== null) q = q.where('customer_id', '=', customerId);
      const ids = (await q.orderBy('id').limit(limit).execute()).map((r) => r.id);
      const snaps = await this.snapshots(ids);
      return ids.map((id) => snaps.get(id)!).filter(Boolean);
    },

    snapshots: (ids) => userStates(db, ids),
    insert: (users, importId) => insertUsers(db, users, importId, now().toISOString()),
    update: (changes, importId) => writeUsers(db, changes, importId, now().toISOString()),
    versions: (ids) => userVersions(db, ids),
    remove: (ids) => deleteUsers(db, ids),
    async rowExtras(ids) {
      const out = new Map<number, UserRowExtras>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db
          .selectFrom('users')
          .select([
            'id',
            'password_hash',
            'activated_at',
            'created_at',
            'updated_at',
            'import_id',
            'created_by_import_id',
          ])
          .where('id', 'in', ids.slice(i, i + 500))
          .execute();
        for (const r of rows)
          out.set(r.id, {
            passwordHash: r.password_hash,
            activatedAt: r.activated_at,
            createdAt: r.created_at,
            updatedAt: r.updated_at,
            importId: r.import_id,
            createdByImportId: r.created_by_import_id,
          });
      }
      return out;
    },
    async ownedRecords(ids) {
      const out = new Map<number, number>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db
          .selectFrom('records')
          .select(['owner_user_id', (eb) => eb.fn.countAll<number | string>().as('n')])
          .where('owner_user_id', 'in', ids.slice(i, i + 500))
          .groupBy('owner_user_id')
          .execute();
        for (const r of rows) out.set(r.owner_user_id, Number(r.n));
      }
      return out;
    },
    reinsert: (users) => reinsertUsers(db, users),
    async restore(snapshots) {
      // A restore is a write of its own: each user goes to the version after the one it has now.
      const versions = await userVersions(
        db,
        snapshots.map((u) => u.id),
      );
      const changes = snapshots.flatMap((u) => {
        const current = versions.get(u.id);
        return current ? [{ before: { id: u.id, version: current.version }, after: u }] : [];
      });
      await writeUsers(db, changes, null, now().toISOString());
    },
  };
}

const BY_EMAIL_KEY_SQLITE = 'select id, email_key, customer_id, username_key from users where email_key = ?';
const BY_EMAIL_KEYS_POSTGRES =
  'select id, email_key, customer_id, username_key from users where email_key = any($1::text[])';
