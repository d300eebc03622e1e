import type { Selectable } from 'kysely';
import type { AdminRole } from '../../core/access/policy.js';
import type { Admin, ApiToken } from '../../core/domain/entities.js';
import type { Db } from '../database.js';
import type { AdminsTable, ApiTokensTable } from '../schema.js';

export interface AdminRecord extends Admin {
  passwordHash: string;
}

const toAdmin = (r: Selectable<AdminsTable>): AdminRecord => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role as AdminRole,
  customerId: r.customer_id,
  disabled: r.disabled === 1,
  createdAt: r.created_at,
  lastLoginAt: r.last_login_at,
  passwordHash: r.password_hash,
});

export const publicAdmin = ({ passwordHash: _hidden, ...admin }: AdminRecord): Admin => admin;

export async function countAdmins(db: Db): Promise<number> {
  const r = await db
    .selectFrom('admins')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function findAdmin(db: Db, id: number): Promise<AdminRecord | undefined> {
  const r = await db.selectFrom('admins').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toAdmin(r);
}

export async function findAdminByEmailKey(db: Db, emailKey: string): Promise<AdminRecord | undefined> {
  const r = await db.selectFrom('admins').selectAll().where('email_key', '=', emailKey).executeTakeFirst();
  return r && toAdmin(r);
}

export async function listAdmins(db: Db, filter: { customerId?: number }): Promise<Admin[]> {
  let q = db.selectFrom('admins').selectAll();
  if (filter.customerId !== undefined) q = q.where('customer_id', '=', filter.customerId);
  return (await q.orderBy('email_key').execute()).map((r) => publicAdmin(toAdmin(r)));
}

export interface AdminValues {
  email: string;
  emailKey: string;
  name: string;
  role: AdminRole;
  customerId: number | null;
  passwordHash: string;
}

export async function insertAdmin(db: Db, v: AdminValues, at: string): Promise<AdminRecord> {
  const r = await db
    .insertInto('admins')
    .values({
      email: v.email,
      email_key: v.emailKey,
      name: v.name,
      role: v.role,
      customer_id: v.customerId,
      password_hash: v.passwordHash,
      disabled: 0,
      created_at: at,
      updated_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAdmin(r);
}

export async function updateAdmin(
  db: Db,
  id: number,
  v: Partial<AdminValues> & { disabled?: boolean },
  at: string,
): Promise<AdminRecord> {
  const r = await db
    .updateTable('admins')
    .set({
      ...(v.email !== undefined && { email: v.email, email_key: v.emailKey }),
      ...(v.name !== undefined && { name: v.name }),
      ...(v.role !== undefined && { role: v.role }),
      ...(v.customerId !== undefined && { customer_id: v.customerId }),
      ...(v.passwordHash !== undefined && { password_hash: v.passwordHash }),
      ...(v.disabled !== undefined && { disabled: v.disabled ? 1 : 0 }),
      updated_at: at,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAdmin(r);
}

export async function deleteAdmin(db: Db, id: number): Promise<void> {
  await db.deleteFrom('admins').where('id', '=', id).execute();
}

export async function countActiveUnscopedAdministrators(db: Db): Promise<number> {
  const r = await db
    .selectFrom('admins')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'administrator')
    .where('customer_id', 'is', null)
    .where('disabled', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function touchAdminLogin(db: Db, id: number, at: string): Promise<void> {
  await db.updateTable('admins').set({ last_login_at: at }).where('id', '=', id).execute();
}

// Sessions

export async function insertSession(
  db: Db,
  v: { tokenHash: string; adminId: number; at: string; expiresAt: string },
): Promise<void> {
  await db
    .insertInto('admin_sessions')
    .values({ token_hash: v.tokenHash, admin_id: v.adminId, created_at: v.at, expires_at: v.expiresAt })
    .execute();
}

export async function findSessionAdmin(
  db: Db,
  tokenHash: string,
  now: string,
): Promise<AdminRecord | undefined> {
  const r = await db
    .selectFrom('admin_sessions')
    .innerJoin('admins', 'admins.id', 'admin_sessions.admin_id')
    .selectAll('admins')
    .where('admin_sessions.token_hash', '=', tokenHash)
    .where('admin_sessions.expires_at', '>', now)
    .executeTakeFirst();
  return r && toAdmin(r);
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('admin_sessions').where('token_hash', '=', tokenHash).execute();
}

export async function deleteSessionsOf(db: Db, adminId: number): Promise<void> {
  await db.deleteFrom('admin_sessions').where('admin_id', '=', adminId).execute();
}

// API tokens

const toToken = (r: Selectable<ApiTokensTable>): ApiToken => ({
  id: r.id,
  adminId: r.admin_id,
  name: r.name,
  prefix: r.token_prefix,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
});

export async function insertToken(
  db: Db,
  v: {
    adminId: number;
    name: string;
    tokenHash: string;
    prefix: string;
    at: string;
    expiresAt: string | null;
  },
): Promise<ApiToken> {
  const r = await db
    .insertInto('api_tokens')
    .values({
      admin_id: v.adminId,
      name: v.name,
      token_hash: v.tokenHash,
      token_prefix: v.prefix,
      created_at: v.at,
      expires_at: v.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toToken(r);
}

export async function listTokens(db: Db, filter: { adminIds?: number[] }): Promise<ApiToken[]> {
  let q = db.selectFrom('api_tokens').selectAll();
  if (filter.adminIds !== undefined) {
    if (filter.adminIds.length === 0) return [];
    q = q.where('admin_id', 'in', filter.adminIds);
  }
  return (await q.orderBy('id').execute()).map(toToken);
}

export async function findToken(db: Db, id: number): Promise<ApiToken | undefined> {
  const r = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toToken(r);
}

export async function findTokenAdmin(
  db: Db,
  tokenHash: string,
  now: string,
): Promise<{ token: ApiToken; admin: AdminRecord } | undefined> {
  const t = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!t || (t.expires_at !== null && t.expires_at <= now)) return undefined;
  const admin = await findAdmin(db, t.admin_id);
  return admin && { token: toToken(t), admin };
}

export async function touchToken(db: Db, id: number, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}

export async function deleteToken(db: Db, id: number): Promise<void> {
  await db.deleteFrom('api_tokens').where('id', '=', id).execute();
}
