import { emailKey } from '../../core/domain/email.js';
import { usernameKey } from '../../core/domain/username.js';
import type { UserSnapshot } from '../../core/import/targets/users.js';
import type { Db } from '../database.js';
import { writeMemberships } from '../targets/users-store.js';

/** The restore point of an import: what it created and the prior state of what it changed. */
export interface ChangeRecord {
  userId: number;
  change: 'created' | 'updated';
  before: string | null;
  versionAfter: number;
}

export async function pendingChanges(db: Db, importId: number, limit: number): Promise<ChangeRecord[]> {
  const rows = await db
    .selectFrom('import_changes')
    .select(['user_id', 'change', 'before', 'version_after'])
    .where('import_id', '=', importId)
    .where('reverted', '=', 0)
    .orderBy('user_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    userId: r.user_id,
    change: r.change as ChangeRecord['change'],
    before: r.before,
    versionAfter: r.version_after,
  }));
}

export async function currentVersions(
  db: Db,
  ids: readonly number[],
): Promise<Map<number, { version: number; email: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'version', 'email'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, { version: r.version, email: r.email }]));
}

export async function markReverted(db: Db, importId: number, userId: number): Promise<void> {
  await db
    .updateTable('import_changes')
    .set({ reverted: 1 })
    .where('import_id', '=', importId)
    .where('user_id', '=', userId)
    .execute();
}

export async function deleteUser(db: Db, id: number): Promise<void> {
  await db.deleteFrom('users').where('id', '=', id).execute();
}

export async function restoreUser(db: Db, u: UserSnapshot, version: number, at: string): Promise<void> {
  await db
    .updateTable('users')
    .set({
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
      version,
      updated_at: at,
    })
    .where('id', '=', u.id)
    .execute();
  await writeMemberships(db, [{ id: u.id, roleIds: u.roleIds, groupIds: u.groupIds }], true);
}
