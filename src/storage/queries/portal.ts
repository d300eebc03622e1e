import type { Db } from '../database.js';

/** Portal users as sign-in and activation see them, and their sessions. */
export interface PortalAccount {
  id: number;
  email: string;
  firstName: string;
  displayName: string;
  customerId: number;
  status: string;
  passwordHash: string | null;
}

const ACCOUNT_COLUMNS = [
  'id',
  'email',
  'first_name',
  'display_name',
  'customer_id',
  'status',
  'password_hash',
] as const;

const toAccount = (r: {
  id: number;
  email: string;
  first_name: string;
  display_name: string;
  customer_id: number;
  status: string;
  password_hash: string | null;
}): PortalAccount => ({
  id: r.id,
  email: r.email,
  firstName: r.first_name,
  displayName: r.display_name,
  customerId: r.customer_id,
  status: r.status,
  passwordHash: r.password_hash,
});

/** The account signing in: by email or username (both compared by their lower-cased keys). */
export async function findAccountByLogin(db: Db, key: string): Promise<PortalAccount | undefined> {
  const r = await db
    .selectFrom('users')
    .select(ACCOUNT_COLUMNS)
    .where((eb) => eb.or([eb('email_key', '=', key), eb('username_key', '=', key)]))
    .orderBy('id')
    .executeTakeFirst();
  return r && toAccount(r);
}

export async function findAccount(db: Db, id: number): Promise<PortalAccount | undefined> {
  const r = await db.selectFrom('users').select(ACCOUNT_COLUMNS).where('id', '=', id).executeTakeFirst();
  return r && toAccount(r);
}

export async function findAccounts(db: Db, ids: readonly number[]): Promise<PortalAccount[]> {
  const out: PortalAccount[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('users')
      .select(ACCOUNT_COLUMNS)
      .where('id', 'in', ids.slice(i, i + 500))
      .orderBy('id')
      .execute();
    out.push(...rows.map(toAccount));
  }
  return out;
}

/** Sets a password, and the status when given; bumps the version like any change to the user. */
export async function setPassword(
  db: Db,
  id: number,
  passwordHash: string,
  at: string,
  activate: boolean,
): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({
      password_hash: passwordHash,
      updated_at: at,
      version: eb('version', '+', 1),
      ...(activate && { status: 'active', activated_at: at }),
    }))
    .where('id', '=', id)
    .execute();
}

/** Expired users are pending again: a new invitation went out. */
export async function reopenExpired(db: Db, ids: readonly number[], at: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await db
      .updateTable('users')
      .set((eb) => ({ status: 'pending', updated_at: at, version: eb('version', '+', 1) }))
      .where('id', 'in', ids.slice(i, i + 500))
      .where('status', '=', 'expired')
      .execute();
  }
}

export async function insertPortalSession(
  db: Db,
  s: { tokenHash: string; userId: number; at: string; expiresAt: string },
): Promise<void> {
  await db
    .insertInto('portal_sessions')
    .values({ token_hash: s.tokenHash, user_id: s.userId, created_at: s.at, expires_at: s.expiresAt })
    .execute();
}

/** The signed-in user of a live session, if the user may still sign in. */
export async function findSessionUser(
  db: Db,
  tokenHash: string,
  now: string,
): Promise<PortalAccount | undefined> {
  const r = await db
    .selectFrom('portal_sessions')
    .innerJoin('users', 'users.id', 'portal_sessions.user_id')
    .select([
      'users.id',
      'users.email',
      'users.first_name',
      'users.display_name',
      'users.customer_id',
      'users.status',
      'users.password_hash',
    ])
    .where('portal_sessions.token_hash', '=', tokenHash)
    .where('portal_sessions.expires_at', '>', now)
    .executeTakeFirst();
  return r && toAccount(r);
}

export async function deletePortalSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('portal_sessions').where('token_hash', '=', tokenHash).execute();
}

export async function deleteUserSessions(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('portal_sessions').where('user_id', '=', userId).execute();
}
