import { type Actor, authorize } from '../core/access/policy.js';
import type { Group, PortalRole } from '../core/domain/entities.js';
import { normalizeText } from '../core/domain/text.js';
import { errors } from '../core/errors.js';
import { isUniqueViolation } from '../storage/errors.js';
import * as q from '../storage/queries/roles-groups.js';
import type { AppContext } from './context.js';
import { audit, inTransaction } from './shared.js';

const roleNotFound = (id: number) => errors.notFound('role', id);
const groupNotFound = (id: number) => errors.notFound('group', id);
export const roleNameTaken = (name: string) =>
  errors.field('role.name_taken', 'name', `A portal role named "${name}" exists (names are case-sensitive).`);
export const groupNameTaken = (name: string) =>
  errors.field('group.name_taken', 'name', `A group named "${name}" exists.`);

export function requiredName(value: string, what: string): string {
  const name = normalizeText(value);
  if (name === '')
    throw errors.field('request.invalid', 'name', `A ${what} needs a name.`, { problem: 'name.required' });
  return name;
}

export async function listRoles(ctx: AppContext, actor: Actor): Promise<PortalRole[]> {
  authorize(actor, 'directory.read');
  return q.listRoles(ctx.db);
}

export async function getRole(ctx: AppContext, actor: Actor, id: number): Promise<PortalRole> {
  authorize(actor, 'directory.read');
  const role = await q.findRole(ctx.db, id);
  if (!role) throw roleNotFound(id);
  return role;
}

/** Writes a portal role and its audit entry in the caller's transaction (its name checked already). */
export async function writeRole(
  ctx: AppContext,
  db: AppContext['db'],
  actor: Actor,
  input: { name: string; description?: string; active?: boolean },
): Promise<PortalRole> {
  const role = await q.insertRole(db, {
    name: input.name,
    description: normalizeText(input.description ?? ''),
    active: input.active ?? true,
    at: ctx.now().toISOString(),
  });
  await audit(ctx, db, actor, {
    action: 'role.create',
    entityType: 'role',
    entityId: role.id,
    details: { name: input.name },
  });
  return role;
}

export async function createRole(
  ctx: AppContext,
  actor: Actor,
  input: { name: string; description?: string; active?: boolean },
): Promise<PortalRole> {
  authorize(actor, 'config.manage');
  const name = requiredName(input.name, 'role');
  try {
    return await inTransaction(ctx, (db) => writeRole(ctx, db, actor, { ...input, name }));
  } catch (e) {
    if (isUniqueViolation(e)) throw roleNameTaken(name);
    throw e;
  }
}

export async function updateRole(
  ctx: AppContext,
  actor: Actor,
  id: number,
  input: { name?: string; description?: string; active?: boolean },
): Promise<PortalRole> {
  authorize(actor, 'config.manage');
  if (!(await q.findRole(ctx.db, id))) throw roleNotFound(id);
  const name = input.name === undefined ? undefined : requiredName(input.name, 'role');
  try {
    return await inTransaction(ctx, async (db) => {
      const role = await q.updateRole(db, id, {
        ...(name !== undefined && { name }),
        ...(input.description !== undefined && { description: normalizeText(input.description) }),
        ...(input.active !== undefined && { active: input.active }),
      });
      await audit(ctx, db, actor, {
        action: 'role.update',
        entityType: 'role',
        entityId: id,
        details: { ...input },
      });
      return role;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw roleNameTaken(name ?? '');
    throw e;
  }
}

export async function deleteRole(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  authorize(actor, 'config.manage');
  if (!(await q.findRole(ctx.db, id))) throw roleNotFound(id);
  await inTransaction(ctx, async (db) => {
    const usage = await q.roleUsage(db, id);
    if (usage.users > 0 || usage.groups > 0) {
      throw errors.conflict(
        'role.in_use',
        `This role is held by ${usage.users} user(s) and ${usage.groups} group(s). Deactivate it instead, or remove it from them first.`,
        usage,
      );
    }
    await q.deleteRole(db, id);
    await audit(ctx, db, actor, { action: 'role.delete', entityType: 'role', entityId: id });
  });
}

async function checkRoleIds(ctx: AppContext, roleIds: readonly number[]): Promise<void> {
  const known = new Set((await q.listRoles(ctx.db)).map((r) => r.id));
  const missing = roleIds.filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw errors.field('request.invalid', 'roleIds', `No portal role with id ${missing.join(', ')}.`, {
      problem: 'role.not_found',
      details: { missing },
    });
  }
}

export async function listGroups(ctx: AppContext, actor: Actor): Promise<Group[]> {
  authorize(actor, 'directory.read');
  return q.listGroups(ctx.db);
}

export async function getGroup(ctx: AppContext, actor: Actor, id: number): Promise<Group> {
  authorize(actor, 'directory.read');
  const group = await q.findGroup(ctx.db, id);
  if (!group) throw groupNotFound(id);
  return group;
}

/** Writes a group, its roles and its audit entry in the caller's transaction; answers its id. */
export async function writeGroup(
  ctx: AppContext,
  db: AppContext['db'],
  actor: Actor,
  input: { name: string; description?: string; roleIds?: number[] },
): Promise<number> {
  const groupId = await q.insertGroup(db, {
    name: input.name,
    description: normalizeText(input.description ?? ''),
    at: ctx.now().toISOString(),
  });
  await q.setGroupRoles(db, groupId, [...new Set(input.roleIds ?? [])]);
  await audit(ctx, db, actor, {
    action: 'group.create',
    entityType: 'group',
    entityId: groupId,
    details: { name: input.name },
  });
  return groupId;
}

export async function createGroup(
  ctx: AppContext,
  actor: Actor,
  input: { name: string; description?: string; roleIds?: number[] },
): Promise<Group> {
  authorize(actor, 'config.manage');
  const name = requiredName(input.name, 'group');
  await checkRoleIds(ctx, input.roleIds ?? []);
  try {
    const id = await inTransaction(ctx, (db) => writeGroup(ctx, db, actor, { ...input, name }));
    return (await q.findGroup(ctx.db, id))!;
  } catch (e) {
    if (isUniqueViolation(e)) throw groupNameTaken(name);
    throw e;
  }
}

export async function updateGroup(
  ctx: AppContext,
  actor: Actor,
  id: number,
  input: { name?: string; description?: string; roleIds?: number[] },
): Promise<Group> {
  authorize(actor, 'config.manage');
  if (!(await q.findGroup(ctx.db, id))) throw groupNotFound(id);
  const name = input.name === undefined ? undefined : requiredName(input.name, 'group');
  if (input.roleIds) await checkRoleIds(ctx, input.roleIds);
  try {
    await inTransaction(ctx, async (db) => {
      await q.updateGroup(db, id, {
        ...(name !== undefined && { name }),
        ...(input.description !== undefined && { description: normalizeText(input.description) }),
      });
      if (input.roleIds) await q.setGroupRoles(db, id, [...new Set(input.roleIds)]);
      await audit(ctx, db, actor, {
        action: 'group.update',
        entityType: 'group',
        entityId: id,
        details: { ...input },
      });
    });
    return (await q.findGroup(ctx.db, id))!;
  } catch (e) {
    if (isUniqueViolation(e)) throw groupNameTaken(name ?? '');
    throw e;
  }
}

export async function deleteGroup(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  authorize(actor, 'config.manage');
  if (!(await q.findGroup(ctx.db, id))) throw groupNotFound(id);
  await inTransaction(ctx, async (db) => {
    const members = await q.groupMemberCount(db, id);
    if (members > 0) {
      throw errors.conflict('group.in_use', `${members} user(s) belong to this group; remove them first.`, {
        users: members,
      });
    }
    await q.deleteGroup(db, id);
    await audit(ctx, db, actor, { action: 'group.delete', entityType: 'group', entityId: id });
  });
}
