import type { Selectable } from 'kysely';
import { USER_ENTITY } from '../../core/import/targets/user-restore.js';
import type { Db } from '../database.js';
import type { InvitationsTable } from '../schema.js';

export type InvitationPurpose = 'activation' | 'reset';
export type InvitationStatus = 'open' | 'used' | 'revoked' | 'expired';

export interface InvitationRecord {
  id: number;
  userId: number;
  purpose: InvitationPurpose;
  status: InvitationStatus;
  importId: number | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  closedAt: string | null;
}

const toRecord = (r: Selectable<InvitationsTable>): InvitationRecord => ({
  id: r.id,
  userId: r.user_id,
  purpose: r.purpose as InvitationPurpose,
  status: r.status as InvitationStatus,
  importId: r.import_id,
  createdBy: r.created_by_label,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  closedAt: r.closed_at,
});

const CHUNK = 500;

/** Closes the open invitations (of a purpose) of these users: a newer one replaces them. */
export async function revokeOpen(
  db: Db,
  userIds: readonly number[],
  purpose: InvitationPurpose,
  at: string,
): Promise<void> {
  for (let i = 0; i < userIds.length; i += CHUNK) {
    await db
      .updateTable('invitations')
      .set({ status: 'revoked', closed_at: at })
      .where('user_id', 'in', userIds.slice(i, i + CHUNK))
      .where('purpose', '=', purpose)
      .where('status', '=', 'open')
      .execute();
  }
}

export interface NewInvitation {
  userId: number;
  purpose: InvitationPurpose;
  importId: number | null;
  createdBy: string;
  expiresAt: string;
  /** The administrator's message, if the email carries one. */
  message: string | null;
}

/** Inserts open invitations; answers their ids by user. */
export async function insertInvitations(
  db: Db,
  rows: readonly NewInvitation[],
  at: string,
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const inserted = await db
      .insertInto('invitations')
      .values(
        rows.slice(i, i + CHUNK).map((r) => ({
          user_id: r.userId,
          purpose: r.purpose,
          status: 'open',
          import_id: r.importId,
          created_by_label: r.createdBy,
          created_at: at,
          expires_at: r.expiresAt,
          closed_at: null,
          message: r.message,
        })),
      )
      .returning(['id', 'user_id'])
      .execute();
    for (const r of inserted) out.set(r.user_id, r.id);
  }
  return out;
}

export async function findInvitation(db: Db, id: number): Promise<InvitationRecord | undefined> {
  const r = await db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toRecord(r);
}

/** The links of emails about to go out, one statement: each a secret's SHA-256 and its invitation. */
export async function insertTokens(
  db: Db,
  tokens: readonly { tokenHash: string; invitationId: number }[],
  at: string,
): Promise<void> {
  for (let i = 0; i < tokens.length; i += CHUNK) {
    await db
      .insertInto('invitation_tokens')
      .values(
        tokens
          .slice(i, i + CHUNK)
          .map((t) => ({ token_hash: t.tokenHash, invitation_id: t.invitationId, created_at: at })),
      )
      .execute();
  }
}

export type InvitationForSending = InvitationRecord & { userStatus: string | null };

/**
 * The invitations emails carry links for, each with its user's status (null: the user is gone),
 * by id; an id that is missing was deleted.
 */
export async function findInvitationsForSending(
  db: Db,
  ids: readonly number[],
): Promise<Map<number, InvitationForSending>> {
  const out = new Map<number, InvitationForSending>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db
      .selectFrom('invitations')
      .leftJoin('users', 'users.id', 'invitations.user_id')
      .selectAll('invitations')
      .select('users.status as user_status')
      .where('invitations.id', 'in', ids.slice(i, i + CHUNK))
      .execute();
    for (const { user_status, ...invitation } of rows) {
      out.set(invitation.id, { ...toRecord(invitation), userStatus: user_status });
    }
  }
  return out;
}

/**
 * Open activation invitations due their one reminder: made on or before `createdBefore`, not yet
 * reminded, still open after `now`, whose user is pending and whose invitation email went out (a
 * reminder never overtakes the email it reminds of, nor follows one that failed).
 */
export async function reminderCandidates(
  db: Db,
  due: { createdBefore: string; now: string; limit: number },
): Promise<number[]> {
  const rows = await db
    .selectFrom('invitations')
    .select('invitations.id')
    .where('invitations.status', '=', 'open')
    .where('invitations.reminded_at', 'is', null)
    .where('invitations.created_at', '<=', due.createdBefore)
    .where('invitations.purpose', '=', 'activation')
    .where('invitations.expires_at', '>', due.now)
    .where((eb) =>
      eb.and([
        eb.exists(
          eb
            .selectFrom('users')
            .select('users.id')
            .whereRef('users.id', '=', 'invitations.user_id')
            .where('users.status', '=', 'pending'),
        ),
        eb.exists(
          eb
            .selectFrom('outbox')
            .select('outbox.id')
            .whereRef('outbox.invitation_id', '=', 'invitations.id')
            .where('outbox.status', '=', 'sent'),
        ),
      ]),
    )
    .orderBy('invitations.created_at')
    .orderBy('invitations.id')
    .limit(due.limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Marks these invitations reminded, if they still are open, unexpired and not reminded: a
 * compare-and-set, so of several sweeps at once each invitation goes to one. Answers those it won.
 */
export async function markReminded(
  db: Db,
  ids: readonly number[],
  at: string,
): Promise<
  { id: number; userId: number; importId: number | null; expiresAt: string; message: string | null }[]
> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('invitations')
    .set({ reminded_at: at })
    .where('id', 'in', [...ids])
    .where('status', '=', 'open')
    .where('reminded_at', 'is', null)
    .where('expires_at', '>', at)
    .returning(['id', 'user_id', 'import_id', 'expires_at', 'message'])
    .execute();
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    importId: r.import_id,
    expiresAt: r.expires_at,
    message: r.message,
  }));
}

/** The invitation a link's token belongs to, whatever its state. */
export async function findByTokenHash(db: Db, tokenHash: string): Promise<InvitationRecord | undefined> {
  const r = await db
    .selectFrom('invitation_tokens')
    .innerJoin('invitations', 'invitations.id', 'invitation_tokens.invitation_id')
    .selectAll('invitations')
    .where('invitation_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst();
  return r && toRecord(r);
}

/** Uses an open, unexpired invitation: true for the one caller that wins. */
export async function consume(db: Db, id: number, at: string): Promise<boolean> {
  const r = await db
    .updateTable('invitations')
    .set({ status: 'used', closed_at: at })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .where('expires_at', '>', at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function listForUser(db: Db, userId: number, limit = 100): Promise<InvitationRecord[]> {
  const rows = await db
    .selectFrom('invitations')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRecord);
}

/** Open invitations whose time has come by `at`, oldest first. */
export async function dueInvitations(
  db: Db,
  at: string,
  limit: number,
): Promise<{ id: number; userId: number; purpose: string }[]> {
  const rows = await db
    .selectFrom('invitations')
    .select(['id', 'user_id', 'purpose'])
    .where('status', '=', 'open')
    .where('expires_at', '<=', at)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, userId: r.user_id, purpose: r.purpose }));
}

/** Marks open invitations `expired` (one already closed stays as it is). */
export async function expireInvitations(db: Db, ids: readonly number[], at: string): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) {
    await db
      .updateTable('invitations')
      .set({ status: 'expired', closed_at: at })
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .where('status', '=', 'open')
      .execute();
  }
}

/**
 * Sets `status` on those of the users that are still `pending` and have no open activation
 * invitation left. A system verdict, not an edit: the version stays, so an import's undo still
 * sees its own row. Answers how many changed.
 */
export async function markPendingWithoutOpenActivation(
  db: Db,
  userIds: readonly number[],
  status: 'expired',
  at: string,
): Promise<number> {
  let changed = 0;
  for (let i = 0; i < userIds.length; i += CHUNK) {
    const r = await db
      .updateTable('users')
      .set({ status, updated_at: at })
      .where('id', 'in', userIds.slice(i, i + CHUNK))
      .where('status', '=', 'pending')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('invitations as other')
              .select('other.id')
              .whereRef('other.user_id', '=', 'users.id')
              .where('other.purpose', '=', 'activation')
              .where('other.status', '=', 'open'),
          ),
        ),
      )
      .executeTakeFirst();
    changed += Number(r.numUpdatedRows);
  }
  return changed;
}

export interface InvitableFilter {
  /** Users this import created. */
  importId?: number;
  customerId?: number;
  siteId?: number;
  roleId?: number;
  groupId?: number;
  /** Only these statuses (pending and expired at most). */
  statuses: readonly string[];
}

/** Ids of users a bulk resend reaches, in id order after `afterId`. */
export async function invitableUserIds(
  db: Db,
  filter: InvitableFilter,
  afterId: number,
  limit: number,
): Promise<number[]> {
  let q = db
    .selectFrom('users')
    .select('users.id')
    .where('users.id', '>', afterId)
    .where('users.status', 'in', [...filter.statuses]);
  if (filter.importId !== undefined) {
    const importId = filter.importId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('import_changes')
          .select('import_changes.entity_id')
          .where('import_changes.entity_type', '=', USER_ENTITY)
          .whereRef('import_changes.entity_id', '=', 'users.id')
          .where('import_changes.import_id', '=', importId)
          .where('import_changes.change', '=', 'created'),
      ),
    );
  }
  if (filter.customerId !== undefined) q = q.where('users.customer_id', '=', filter.customerId);
  if (filter.siteId !== undefined) q = q.where('users.site_id', '=', filter.siteId);
  if (filter.roleId !== undefined) {
    const roleId = filter.roleId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('user_roles')
          .select('user_roles.user_id')
          .whereRef('user_roles.user_id', '=', 'users.id')
          .where('user_roles.role_id', '=', roleId),
      ),
    );
  }
  if (filter.groupId !== undefined) {
    const groupId = filter.groupId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('user_groups')
          .select('user_groups.user_id')
          .whereRef('user_groups.user_id', '=', 'users.id')
          .where('user_groups.group_id', '=', groupId),
      ),
    );
  }
  const rows = await q.orderBy('users.id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** Which of these users were invited before (any activation invitation, in any state). */
export async function invitedBefore(db: Db, userIds: readonly number[]): Promise<Set<number>> {
  const out = new Set<number>();
  for (let i = 0; i < userIds.length; i += CHUNK) {
    const rows = await db
      .selectFrom('invitations')
      .select('user_id')
      .distinct()
      .where('user_id', 'in', userIds.slice(i, i + CHUNK))
      .where('purpose', '=', 'activation')
      .execute();
    for (const r of rows) out.add(r.user_id);
  }
  return out;
}
