import type { AttributeType } from '../../core/domain/attributes.js';
import { emailKey } from '../../core/domain/email.js';
import type { UserStatus, UserType } from '../../core/domain/user.js';
import { usernameKey } from '../../core/domain/username.js';
import type { NewUser, UserSnapshot, UsersDirectory, UsersStore } from '../../core/import/targets/users.js';
import type { Db } from '../database.js';

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
      for (const part of chunks([...new Set(keys)])) {
        if (part.length === 0) continue;
        const rows = await db
          .selectFrom('users')
          .select(['id', 'email_key', 'customer_id', 'username_key'])
          .where('email_key', 'in', part)
          .execute();
        for (const r of rows)
          out.set(r.email_key, { id: r.id, customerId: r.customer_id, usernameKey: r.username_key });
      }
      return out;
    },

    async findUsernameKeys(keys) {
      const out = new Map<string, number>();
      for (const part of chunks([...new Set(keys)])) {
        if (part.length === 0) continue;
        const rows = await db
          .selectFrom('users')
          .select(['id', 'username_key'])
          .where('username_key', 'in', part)
          .execute();
        for (const r of rows) out.set(r.username_key, r.id);
      }
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
      for (const part of chunks(users)) {
        const rows = await db
          .insertInto('users')
          .values(
            part.map((u) => ({
              ...columns(u),
              created_at: at,
              updated_at: at,
              version: 1,
              import_id: importId,
            })),
          )
          .onConflict((oc) => oc.doNothing())
          .returning(['id', 'email_key'])
          .execute();
        const ids = new Map(rows.map((r) => [r.email_key, r.id]));
        const links = part.flatMap((u) => {
          const id = ids.get(emailKey(u.email));
          return id === undefined ? [] : [{ id, u }];
        });
        await writeMemberships(
          db,
          links.map(({ id, u }) => ({ id, roleIds: u.roleIds, groupIds: u.groupIds })),
          false,
        );
        if (links.length > 0) {
          await db
            .insertInto('import_changes')
            .values(
              links.map(({ id }) => ({
                import_id: importId,
                user_id: id,
                change: 'created',
                before: null,
                version_after: 1,
                reverted: 0,
              })),
            )
            .execute();
        }
        for (const [k, id] of ids) inserted.set(k, id);
      }
      return inserted;
    },

    async update(changes, importId) {
      const at = new Date().toISOString();
      for (const { before, after } of changes) {
        await db
          .updateTable('users')
          .set({ ...columns(after), updated_at: at, version: before.version + 1, import_id: importId })
          .where('id', '=', before.id)
          .execute();
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
      for (const part of chunks(changes, 200)) {
        await db
          .insertInto('import_changes')
          .values(
            part.map(({ before }) => ({
              import_id: importId,
              user_id: before.id,
              change: 'updated',
              before: JSON.stringify(before),
              version_after: before.version + 1,
              reverted: 0,
            })),
          )
          .execute();
      }
    },
  };
}

function columns(u: NewUser) {
  return {
    email: u.email,
    email_key: emailKey(u.email),
    username: u.username,
    username_key: usernameKey(u.username),
    first_name: u.firstName,
    last_name: u.lastName,
    last_name_key: u.lastName.toLowerCase(),
    display_name: u.displayName,
    display_name_key: u.displayName.toLowerCase(),
    customer_id: u.customerId,
    site_id: u.siteId,
    contact_id: u.contactId,
    user_type: u.userType,
    access_level: u.accessLevel,
    employee_number: u.employeeNumber,
    attributes: JSON.stringify(u.attributes),
    status: u.status,
  };
}

/** Sets users' roles and groups; `replace` first removes what they had. */
export async function writeMemberships(
  db: Db,
  users: readonly { id: number; roleIds: readonly number[]; groupIds: readonly number[] }[],
  replace: boolean,
): Promise<void> {
  if (users.length === 0) return;
  if (replace) {
    for (const part of chunks(users.map((u) => u.id))) {
      await db.deleteFrom('user_roles').where('user_id', 'in', part).execute();
      await db.deleteFrom('user_groups').where('user_id', 'in', part).execute();
    }
  }
  const roles = users.flatMap((u) => [...new Set(u.roleIds)].map((role_id) => ({ user_id: u.id, role_id })));
  const groups = users.flatMap((u) =>
    [...new Set(u.groupIds)].map((group_id) => ({ user_id: u.id, group_id })),
  );
  for (const part of chunks(roles, 1000)) await db.insertInto('user_roles').values(part).execute();
  for (const part of chunks(groups, 1000)) await db.insertInto('user_groups').values(part).execute();
}
