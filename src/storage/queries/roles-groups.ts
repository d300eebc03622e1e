import type { Selectable } from 'kysely';
import type { Group, PortalRole } from '../../core/domain/entities.js';
import type { Db } from '../database.js';
import type { PortalRolesTable } from '../schema.js';

const toRole = (r: Selectable<PortalRolesTable>): PortalRole => ({
  id: r.id,
  name: r.name,
  description: r.description,
  active: r.active === 1,
  createdAt: r.created_at,
});

export async function listRoles(db: Db): Promise<PortalRole[]> {
  return (await db.selectFrom('portal_roles').selectAll().orderBy('name').execute()).map(toRole);
}

export async function findRole(db: Db, id: number): Promise<PortalRole | undefined> {
  const r = await db.selectFrom('portal_roles').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toRole(r);
}

export async function insertRole(
  db: Db,
  v: { name: string; description: string; active: boolean; at: string },
): Promise<PortalRole> {
  const r = await db
    .insertInto('portal_roles')
    .values({ name: v.name, description: v.description, active: v.active ? 1 : 0, created_at: v.at })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRole(r);
}

export async function updateRole(
  db: Db,
  id: number,
  v: { name?: string; description?: string; active?: boolean },
): Promise<PortalRole> {
  const r = await db
    .updateTable('portal_roles')
    .set({
      ...(v.name !== undefined && { name: v.name }),
      ...(v.description !== undefined && { description: v.description }),
      ...(v.active !== undefined && { active: v.active ? 1 : 0 }),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRole(r);
}

export async function deleteRole(db: Db, id: number): Promise<void> {
  await db.deleteFrom('portal_roles').where('id', '=', id).execute();
}

export async function roleUsage(db: Db, id: number): Promise<{ users: number; groups: number }> {
  const users = await db
    .selectFrom('user_roles')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role_id', '=', id)
    .executeTakeFirstOrThrow();
  const groups = await db
    .selectFrom('group_roles')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role_id', '=', id)
    .executeTakeFirstOrThrow();
  return { users: Number(users.n), groups: Number(groups.n) };
}

export async function listGroups(db: Db): Promise<Group[]> {
  const groups = await db.selectFrom('groups').selectAll().orderBy('name').execute();
  const links = await db.selectFrom('group_roles').selectAll().execute();
  return groups.map((g) => ({
    id: g.id,
    name: g.name,
    description: g.description,
    roleIds: links.filter((l) => l.group_id === g.id).map((l) => l.role_id),
    createdAt: g.created_at,
  }));
}

export async function findGroup(db: Db, id: number): Promise<Group | undefined> {
  const g = await db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst();
  if (!g) return undefined;
  const links = await db.selectFrom('group_roles').select('role_id').where('group_id', '=', id).execute();
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    roleIds: links.map((l) => l.role_id),
    createdAt: g.created_at,
  };
}

export async function insertGroup(
  db: Db,
  v: { name: string; description: string; at: string },
): Promise<number> {
  const r = await db
    .insertInto('groups')
    .values({ name: v.name, description: v.description, created_at: v.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function updateGroup(
  db: Db,
  id: number,
  v: { name?: string; description?: string },
): Promise<void> {
  if (v.name === undefined && v.description === undefined) return;
  await db
    .updateTable('groups')
    .set({
      ...(v.name !== undefined && { name: v.name }),
      ...(v.description !== undefined && { description: v.description }),
    })
    .where('id', '=', id)
    .execute();
}

export async function setGroupRoles(db: Db, groupId: number, roleIds: readonly number[]): Promise<void> {
  await db.deleteFrom('group_roles').where('group_id', '=', groupId).execute();
  if (roleIds.length > 0) {
    await db
      .insertInto('group_roles')
      .values(roleIds.map((role_id) => ({ group_id: groupId, role_id })))
      .execute();
  }
}

export async function deleteGroup(db: Db, id: number): Promise<void> {
  await db.deleteFrom('groups').where('id', '=', id).execute();
}

export async function groupMemberCount(db: Db, id: number): Promise<number> {
  const r = await db
    .selectFrom('user_groups')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('group_id', '=', id)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
