import { emailKey } from '../../core/domain/email.js';
import { usernameKey } from '../../core/domain/username.js';
import type { UserSnapshot } from '../../core/import/targets/users.js';
import type { Db } from '../database.js';
import { writeMemberships } from '../targets/users-store.js';
import { updateUser } from './users.js';

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

/** Puts a user back as the snapshot was (a new version: the restore is itself a change). */
export async function restoreUser(db: Db, u: UserSnapshot, at: string): Promise<void> {
  const { id, version: _version, roleIds, groupIds, ...values } = u;
  await updateUser(
    db,
    id,
    { ...values, emailKey: emailKey(u.email), usernameKey: usernameKey(u.username) },
    at,
  );
  await writeMemberships(db, [{ id, roleIds, groupIds }], true);
}

/** The imports that created or changed a user, newest first: the imports in the user's history. */
export async function importsThatChanged(db: Db, userId: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('import_changes')
    .select('import_id')
    .where('user_id', '=', userId)
    .orderBy('import_id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.import_id);
}
