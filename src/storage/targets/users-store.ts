import type { AttributeType } from '../../core/domain/attributes.js';
import { emailKey } from '../../core/domain/email.js';
import type { UserStatus, UserType } from '../../core/domain/user.js';
import { usernameKey } from '../../core/domain/username.js';
import type { NewUser, UserSnapshot, UsersDirectory, UsersStore } from '../../core/import/targets/users.js';
import { columnsOf, onSqliteConnection, pgQuery, prepared, sqliteHandle } from '../bulk.js';
import type { Db } from '../database.js';
import { updateUser } from '../queries/users.js';

/** The users target's storage: batched lookups and writes, each a few statements per batch. */
const CHUNK = 500;

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export async function loadUsersDirectory(db: Db): Promise<UsersDirectory> {
  const [customers, sites, roles, groups, attributes] = await Promise.all([
    db.selectFrom('customers').select(['id', 'name', 'external_id']).execute(),
    db.selectFrom('sites').select(['id', 'customer_id', 'name']).execute(),
    db.selectFrom('portal_roles').select(['id', 'name', 'active']).execute(),
    db.selectFrom('groups').select(['id', 'name']).execute(),
    db.selectFrom('attribute_definitions').selectAll().orderBy('key').execute(),
  ]);
  return {
    customers: customers.map((c) => ({ id: c.id, name: c.name, externalId: c.external_id })),
    sites: sites.map((s) => ({ id: s.id, customerId: s.customer_id, name: s.name })),
    roles: roles.map((r) => ({ id: r.id, name: r.name, active: r.active === 1 })),
    groups,
    attributes: attributes.map((a) => ({
      id: a.id,
      key: a.key,
      label: a.label,
      type: a.type as AttributeType,
      options: JSON.parse(a.options) as string[],
      required: a.required === 1,
      description: a.description,
    })),
  };
}

export function usersStore(db: Db): UsersStore {
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

    async findUsernameKeys(keys) {
      const out = new Map<string, number>();
      const unique = [...new Set(keys)];
      if (unique.length === 0) return out;
      type Found = { id: number; username_key: string };
      const sqlite = sqliteHandle(db);
      const rows = sqlite
        ? await onSqliteConnection(db, () => {
            const find = prepared(sqlite, BY_USERNAME_KEY_SQLITE);
            return unique.flatMap((k) => (find.get(k) as Found | undefined) ?? []);
          })
        : await pgQuery<Found>(db, BY_USERNAME_KEYS_POSTGRES, [unique]);
      for (const r of rows) out.set(r.username_key, r.id);
      return out;
    },

    async usernameKeysWithPrefix(prefix) {
      const rows = await db
        .selectFrom('users')
        .select('username_key')
        .where('username_key', '>=', prefix)
        .where('username_key', '<', `${prefix}\u{10FFFF}`)
        .execute();
      return new Set(rows.map((r) => r.username_key));
    },

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

    async snapshots(ids) {
      const out = new Map<number, UserSnapshot>();
      for (const part of chunks([...new Set(ids)])) {
        if (part.length === 0) continue;
        const [users, roles, groups] = await Promise.all([
          db.selectFrom('users').selectAll().where('id', 'in', part).execute(),
          db.selectFrom('user_roles').selectAll().where('user_id', 'in', part).execute(),
          db.selectFrom('user_groups').selectAll().where('user_id', 'in', part).execute(),
        ]);
        for (const u of users) {
          out.set(u.id, {
            id: u.id,
            email: u.email,
            username: u.username,
            firstName: u.first_name,
            lastName: u.last_name,
            displayName: u.display_name,
            customerId: u.customer_id,
            siteId: u.site_id,
            contactId: u.contact_id,
            userType: u.user_type as UserType,
            accessLevel: u.access_level,
            employeeNumber: u.employee_number,
            attributes: JSON.parse(u.attributes) as UserSnapshot['attributes'],
            status: u.status as UserStatus,
            roleIds: roles.filter((r) => r.user_id === u.id).map((r) => r.role_id),
            groupIds: groups.filter((g) => g.user_id === u.id).map((g) => g.group_id),
            version: u.version,
          });
        }
      }
      return out;
    },

    async insert(users, importId) {
      const at = new Date().toISOString();
      const inserted = new Map<string, number>();
      if (users.length === 0) return inserted;
      const sqlite = sqliteHandle(db);
      let links: { id: number; u: NewUser }[];
      if (sqlite) {
        // One prepared statement per row, in the caller's transaction. A row that met a user who
        // took its email or username meanwhile changes nothing; one that went in has its id as the
        // last rowid. (`returning id` would say the same at twice the cost of the insert.)
        links = await onSqliteConnection(db, () => {
          const insert = prepared(sqlite, INSERT_USER_SQLITE);
          const out: { id: number; u: NewUser }[] = [];
          for (const u of users) {
            const done = insert.run(...userValues(u), at, at, importId, importId);
            if (done.changes === 1) out.push({ id: Number(done.lastInsertRowid), u });
          }
          return out;
        });
      } else {
        const rows = await pgQuery<{ id: number; email_key: string }>(db, INSERT_USERS_POSTGRES, [
          ...columnsOf(users, USER_VALUE_PICKS),
          at,
          importId,
        ]);
        const ids = new Map(rows.map((r) => [r.email_key, r.id]));
        links = users.flatMap((u) => {
          const id = ids.get(emailKey(u.email));
          return id === undefined ? [] : [{ id, u }];
        });
      }
      for (const { id, u } of links) inserted.set(emailKey(u.email), id);
      await writeMemberships(
        db,
        links.map(({ id, u }) => ({ id, roleIds: u.roleIds, groupIds: u.groupIds })),
        false,
      );
      return inserted;
    },

    async update(changes, importId) {
      if (changes.length === 0) return;
      const at = new Date().toISOString();
      const sqlite = sqliteHandle(db);
      if (sqlite) {
        await onSqliteConnection(db, () => {
          const update = prepared(sqlite, UPDATE_USER_SQLITE);
          for (const { before, after } of changes) {
            update.run(...userValues(after), at, before.version + 1, importId, before.id);
          }
        });
      } else {
        await pgQuery(db, UPDATE_USERS_POSTGRES, [
          ...columnsOf(
            changes.map((c) => c.after),
            USER_VALUE_PICKS,
          ),
          changes.map((c) => c.before.version + 1),
          changes.map((c) => c.before.id),
          at,
          importId,
        ]);
      }
      await writeMemberships(
        db,
        changes.map(({ before, after }) => ({
          id: before.id,
          roleIds: after.roleIds,
          groupIds: after.groupIds,
        })),
        true,
      );
    },

    async versions(ids) {
      const out = new Map<number, { version: number; email: string }>();
      for (const part of chunks([...new Set(ids)])) {
        const rows = await db
          .selectFrom('users')
          .select(['id', 'version', 'email'])
          .where('id', 'in', part)
          .execute();
        for (const r of rows) out.set(r.id, { version: r.version, email: r.email });
      }
      return out;
    },

    async remove(ids) {
      for (const part of chunks([...new Set(ids)])) {
        await db.deleteFrom('users').where('id', 'in', part).execute();
      }
    },

    async restore(snapshots) {
      const at = new Date().toISOString();
      for (const u of snapshots) {
        const { id, version: _version, roleIds: _roles, groupIds: _groups, ...values } = u;
        await updateUser(
          db,
          id,
          { ...values, emailKey: emailKey(u.email), usernameKey: usernameKey(u.username) },
          at,
        );
      }
      await writeMemberships(db, snapshots, true);
    },
  };
}

/** The users columns an import writes from a NewUser, in the order of USER_VALUE_PICKS. */
const USER_COLUMNS = [
  'email',
  'email_key',
  'username',
  'username_key',
  'first_name',
  'last_name',
  'last_name_key',
  'display_name',
  'display_name_key',
  'customer_id',
  'site_id',
  'contact_id',
  'user_type',
  'access_level',
  'employee_number',
  'attributes',
  'status',
] as const;
const USER_COLUMN_TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'int4',
  'int4',
  'int4',
  'text',
  'text',
  'text',
  'text',
  'text',
] as const;
const USER_VALUE_PICKS: readonly ((u: NewUser) => string | number | null)[] = [
  (u) => u.email,
  (u) => emailKey(u.email),
  (u) => u.username,
  (u) => usernameKey(u.username),
  (u) => u.firstName,
  (u) => u.lastName,
  (u) => u.lastName.toLowerCase(),
  (u) => u.displayName,
  (u) => u.displayName.toLowerCase(),
  (u) => u.customerId,
  (u) => u.siteId,
  (u) => u.contactId,
  (u) => u.userType,
  (u) => u.accessLevel,
  (u) => u.employeeNumber,
  (u) => JSON.stringify(u.attributes),
  (u) => u.status,
];

function userValues(u: NewUser): (string | number | null)[] {
  return USER_VALUE_PICKS.map((pick) => pick(u));
}

const BY_EMAIL_KEY_SQLITE = 'select id, email_key, customer_id, username_key from users where email_key = ?';
const BY_EMAIL_KEYS_POSTGRES =
  'select id, email_key, customer_id, username_key from users where email_key = any($1::text[])';
const BY_USERNAME_KEY_SQLITE = 'select id, username_key from users where username_key = ?';
const BY_USERNAME_KEYS_POSTGRES = 'select id, username_key from users where username_key = any($1::text[])';
const INSERT_USER_SQLITE =
  `insert into users (${USER_COLUMNS.join(', ')}, created_at, updated_at, version, import_id, created_by_import_id) ` +
  `values (${USER_COLUMNS.map(() => '?').join(', ')}, ?, ?, 1, ?, ?) on conflict do nothing`;
const N = USER_COLUMNS.length;
const INSERT_USERS_POSTGRES =
  `insert into users (${USER_COLUMNS.join(', ')}, created_at, updated_at, version, import_id, created_by_import_id) ` +
  `select u.*, $${N + 1}::timestamptz, $${N + 1}::timestamptz, 1, $${N + 2}::int4, $${N + 2}::int4 ` +
  `from unnest(${USER_COLUMN_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) as u ` +
  'on conflict do nothing returning id, email_key';
const UPDATE_USER_SQLITE =
  `update users set ${USER_COLUMNS.map((c) => `${c} = ?`).join(', ')}, updated_at = ?, version = ?, ` +
  'import_id = ? where id = ?';
const UPDATE_USERS_POSTGRES =
  `update users set ${USER_COLUMNS.map((c) => `${c} = v.${c}`).join(', ')}, updated_at = $${N + 3}::timestamptz, ` +
  `version = v.version, import_id = $${N + 4}::int4 ` +
  `from unnest(${USER_COLUMN_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}, $${N + 1}::int4[], $${N + 2}::int4[]) ` +
  `as v(${USER_COLUMNS.join(', ')}, version, id) where users.id = v.id`;

/** Sets users' roles and groups; `replace` first removes what they had. */
export async function writeMemberships(
  db: Db,
  users: readonly { id: number; roleIds: readonly number[]; groupIds: readonly number[] }[],
  replace: boolean,
): Promise<void> {
  if (users.length === 0) return;
  const ids = users.map((u) => u.id);
  const roleUsers: number[] = [];
  const roleIds: number[] = [];
  const groupUsers: number[] = [];
  const groupIds: number[] = [];
  for (const u of users) {
    for (const roleId of new Set(u.roleIds)) {
      roleUsers.push(u.id);
      roleIds.push(roleId);
    }
    for (const groupId of new Set(u.groupIds)) {
      groupUsers.push(u.id);
      groupIds.push(groupId);
    }
  }
  const sqlite = sqliteHandle(db);
  if (sqlite) {
    await onSqliteConnection(db, () => {
      if (replace) {
        const deleteRoles = prepared(sqlite, 'delete from user_roles where user_id = ?');
        const deleteGroups = prepared(sqlite, 'delete from user_groups where user_id = ?');
        for (const id of ids) {
          deleteRoles.run(id);
          deleteGroups.run(id);
        }
      }
      const addRole = prepared(sqlite, 'insert into user_roles (user_id, role_id) values (?, ?)');
      const addGroup = prepared(sqlite, 'insert into user_groups (user_id, group_id) values (?, ?)');
      for (let i = 0; i < roleUsers.length; i++) addRole.run(roleUsers[i], roleIds[i]);
      for (let i = 0; i < groupUsers.length; i++) addGroup.run(groupUsers[i], groupIds[i]);
    });
    return;
  }
  if (replace) {
    await pgQuery(db, 'delete from user_roles where user_id = any($1::int4[])', [ids]);
    await pgQuery(db, 'delete from user_groups where user_id = any($1::int4[])', [ids]);
  }
  if (roleUsers.length > 0) {
    await pgQuery(
      db,
      'insert into user_roles (user_id, role_id) select * from unnest($1::int4[], $2::int4[])',
      [roleUsers, roleIds],
    );
  }
  if (groupUsers.length > 0) {
    await pgQuery(
      db,
      'insert into user_groups (user_id, group_id) select * from unnest($1::int4[], $2::int4[])',
      [groupUsers, groupIds],
    );
  }
}
