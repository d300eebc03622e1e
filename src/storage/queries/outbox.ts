import { type ExpressionBuilder, type Selectable, type SelectQueryBuilder, sql } from 'kysely';
import type { OutboxStatus } from '../../core/mail/sending.js';
import type { MailKind } from '../../core/mail/templates.js';
import { sqliteHandle } from '../bulk.js';
import type { Db } from '../database.js';
import type { Database, OutboxTable } from '../schema.js';

export interface NewEmail {
  kind: MailKind;
  recipient: string;
  recipientName: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  importId: number | null;
  userId: number | null;
  invitationId: number | null;
  customerId: number | null;
}

export interface EmailRecord {
  id: number;
  kind: MailKind;
  recipient: string;
  recipientName: string;
  subject: string;
  text: string;
  html: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: number;
  messageId: string;
  importId: number | null;
  userId: number | null;
  invitationId: number | null;
  customerId: number | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

const toRecord = (r: Selectable<OutboxTable>): EmailRecord => ({
  id: r.id,
  kind: r.kind as MailKind,
  recipient: r.recipient,
  recipientName: r.recipient_name,
  subject: r.subject,
  text: r.text_body,
  html: r.html_body,
  status: r.status as OutboxStatus,
  attempts: r.attempts,
  lastError: r.last_error,
  nextAttemptAt: Number(r.next_attempt_at),
  messageId: r.message_id,
  importId: r.import_id,
  userId: r.user_id,
  invitationId: r.invitation_id,
  customerId: r.customer_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  sentAt: r.sent_at,
});

// About 15 values a row: well inside both databases' limits on bound parameters.
const CHUNK = 200;

export async function insertEmails(db: Db, emails: readonly NewEmail[], at: string): Promise<void> {
  const due = Date.parse(at);
  for (let i = 0; i < emails.length; i += CHUNK) {
    await db
      .insertInto('outbox')
      .values(
        emails.slice(i, i + CHUNK).map((e) => ({
          kind: e.kind,
          recipient: e.recipient,
          recipient_name: e.recipientName,
          subject: e.subject,
          text_body: e.text,
          html_body: e.html,
          status: 'queued',
          attempts: 0,
          last_error: null,
          next_attempt_at: due,
          claimed_by: null,
          claimed_until: null,
          message_id: e.messageId,
          import_id: e.importId,
          user_id: e.userId,
          invitation_id: e.invitationId,
          customer_id: e.customerId,
          created_at: at,
          updated_at: at,
          sent_at: null,
        })),
      )
      .execute();
  }
}

/** Epoch ms when the next email is due (a stale claim counts as due at once), or null when none is. */
export async function nextDueAt(db: Db, now: number): Promise<number | null> {
  const queued = await db
    .selectFrom('outbox')
    .select('next_attempt_at')
    .where('status', '=', 'queued')
    .orderBy('next_attempt_at')
    .limit(1)
    .executeTakeFirst();
  const stale = await db
    .selectFrom('outbox')
    .select('id')
    .where('status', '=', 'sending')
    .where('claimed_until', '<', now)
    .limit(1)
    .executeTakeFirst();
  if (stale) return now;
  return queued ? Number(queued.next_attempt_at) : null;
}

/**
 * Claims up to `limit` due emails for `worker` until `until`, in one statement: queued ones whose
 * time has come, and ones whose sender died mid-send (their claim ran out: sent again, so at most
 * one duplicate and no loss). Answers them in the order they fell due.
 *
 * Two workers never hold the same email: on PostgreSQL the candidates are locked as they are
 * picked (`for update skip locked`: a row another claim is taking is passed over, not waited
 * for), and the update checks again that each is still due; on SQLite the caller's write
 * transaction (BEGIN IMMEDIATE) keeps every other writer out until it commits.
 */
export async function claimDue(
  db: Db,
  claim: { worker: string; now: number; until: number; at: string; limit: number },
): Promise<EmailRecord[]> {
  const { now } = claim;
  const isDue = (eb: ExpressionBuilder<Database, 'outbox'>) =>
    eb.or([
      eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
      eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<', now)]),
    ]);
  // The candidates are picked once, in a materialized CTE. As `where id in (select … limit n for
  // update skip locked)` PostgreSQL may plan the subquery as the inner side of a nested loop and
  // run it again for each row: each run skips the rows the update already changed and picks the
  // next ones, so the statement claimed every due email instead of n (seen in mail.batches.test.ts).
  const rows = await db
    .with(
      (cte) => cte('picked').materialized(),
      (qb) => {
        const candidates = qb
          .selectFrom('outbox')
          .select('id')
          .where(isDue)
          .orderBy('next_attempt_at')
          .orderBy('id')
          .limit(claim.limit);
        return sqliteHandle(db) === null ? candidates.forUpdate().skipLocked() : candidates;
      },
    )
    .updateTable('outbox')
    .set((eb) => ({
      status: 'sending',
      claimed_by: claim.worker,
      claimed_until: claim.until,
      attempts: eb('attempts', '+', 1),
      updated_at: claim.at,
    }))
    .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
    .where(isDue)
    .returningAll()
    .execute();
  // `returning` follows no order: back to the order they fell due, as the candidates were picked.
  return rows.map(toRecord).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
}

export type SettleResult =
  | { status: 'sent' }
  | { status: 'queued'; nextAttemptAt: number; error: string }
  | { status: 'failed'; error: string };

/**
 * Ends the claims on these emails with one result: sent, back to the queue for a later try, or
 * failed. Only the claim's holder may; answers how many it settled (fewer: a claim was lost).
 */
export async function settleEmails(
  db: Db,
  ids: readonly number[],
  worker: string,
  result: SettleResult,
  at: string,
): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .updateTable('outbox')
    .set({
      status: result.status,
      claimed_by: null,
      claimed_until: null,
      updated_at: at,
      ...(result.status === 'sent' && { sent_at: at, last_error: null }),
      ...(result.status === 'queued' && { next_attempt_at: result.nextAttemptAt, last_error: result.error }),
      ...(result.status === 'failed' && { last_error: result.error }),
    })
    .where('id', 'in', [...ids])
    .where('status', '=', 'sending')
    .where('claimed_by', '=', worker)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Gives claimed emails back untried (a worker stopping mid-batch): queued again as they were, the
 * attempt the claim counted taken back. Only the claim's holder may.
 */
export async function releaseEmails(
  db: Db,
  ids: readonly number[],
  worker: string,
  at: string,
): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .updateTable('outbox')
    .set((eb) => ({
      status: 'queued',
      claimed_by: null,
      claimed_until: null,
      attempts: eb('attempts', '-', 1),
      updated_at: at,
    }))
    .where('id', 'in', [...ids])
    .where('status', '=', 'sending')
    .where('claimed_by', '=', worker)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export interface EmailFilter {
  importId?: number;
  userId?: number;
  customerId?: number;
  status?: OutboxStatus[];
  kind?: MailKind[];
  /** Lower-cased start of the recipient's address or name. */
  recipient?: string;
}

/**
 * The filters shared by the list and its counts. The recipient is matched with `like` on the
 * lower-cased address and name, without an index: the outbox's rows are written by the mail code,
 * and a scan newest first stops at the page's end.
 */
function applyEmailFilter<O>(
  q: SelectQueryBuilder<Database, 'outbox', O>,
  f: EmailFilter,
): SelectQueryBuilder<Database, 'outbox', O> {
  let out = q;
  if (f.importId !== undefined) out = out.where('import_id', '=', f.importId);
  if (f.userId !== undefined) out = out.where('user_id', '=', f.userId);
  if (f.customerId !== undefined) out = out.where('customer_id', '=', f.customerId);
  if (f.kind && f.kind.length > 0) out = out.where('kind', 'in', f.kind);
  if (f.recipient) {
    // `%`, `_` and `\` in the search are themselves, not wildcards.
    const pattern = `${f.recipient.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    out = out.where((eb) =>
      eb.or([
        eb(sql<string>`lower(recipient)`, 'like', sql<string>`${pattern} escape '\\'`),
        eb(sql<string>`lower(recipient_name)`, 'like', sql<string>`${pattern} escape '\\'`),
      ]),
    );
  }
  return out;
}

export async function listEmails(
  db: Db,
  filter: EmailFilter & { limit: number; beforeId?: number },
): Promise<EmailRecord[]> {
  let q = applyEmailFilter(db.selectFrom('outbox').selectAll(), filter);
  if (filter.status && filter.status.length > 0) q = q.where('status', 'in', filter.status);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  const rows = await q.orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(toRecord);
}

export async function countByStatus(db: Db, filter: EmailFilter): Promise<Record<OutboxStatus, number>> {
  const q = applyEmailFilter(
    db
      .selectFrom('outbox')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status'),
    filter,
  );
  const out: Record<OutboxStatus, number> = { queued: 0, sending: 0, sent: 0, failed: 0 };
  for (const r of await q.execute()) out[r.status as OutboxStatus] = Number(r.n);
  return out;
}

// Sending as a whole: pause, and the shared rate.

export interface MailStateRecord {
  paused: boolean;
  nextSlotAt: number;
  runStartedAt: number;
}

export async function readMailState(db: Db): Promise<MailStateRecord> {
  const r = await db.selectFrom('mail_state').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  return {
    paused: r.paused === 1,
    nextSlotAt: Number(r.next_slot_at),
    runStartedAt: Number(r.run_started_at),
  };
}

/**
 * Reads the state for a change, in one statement: an update that changes nothing takes the row
 * lock on PostgreSQL until the transaction ends (SQLite's write lock is held already).
 */
export async function lockMailState(db: Db): Promise<MailStateRecord> {
  const r = await db
    .updateTable('mail_state')
    .set((eb) => ({ paused: eb.ref('paused') }))
    .where('id', '=', 1)
    .returning(['paused', 'next_slot_at', 'run_started_at'])
    .executeTakeFirstOrThrow();
  return {
    paused: r.paused === 1,
    nextSlotAt: Number(r.next_slot_at),
    runStartedAt: Number(r.run_started_at),
  };
}

export async function writeRate(db: Db, nextSlotAt: number, runStartedAt: number): Promise<void> {
  await db
    .updateTable('mail_state')
    .set({ next_slot_at: Math.ceil(nextSlotAt), run_started_at: Math.floor(runStartedAt) })
    .where('id', '=', 1)
    .execute();
}

export async function setPaused(db: Db, paused: boolean): Promise<void> {
  await db
    .updateTable('mail_state')
    .set({ paused: paused ? 1 : 0 })
    .where('id', '=', 1)
    .execute();
}

// The local mailbox of the embedded default.

export interface MailboxMessage {
  id: number;
  outboxId: number;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
  receivedAt: string;
}

export async function insertMailboxMessage(db: Db, m: Omit<MailboxMessage, 'id'>): Promise<void> {
  await db
    .insertInto('mailbox')
    .values({
      outbox_id: m.outboxId,
      sender: m.from,
      recipient: m.to,
      subject: m.subject,
      text_body: m.text,
      html_body: m.html,
      raw: m.raw,
      received_at: m.receivedAt,
    })
    .execute();
}

export async function listMailbox(
  db: Db,
  filter: { to?: string; beforeId?: number; limit: number },
): Promise<MailboxMessage[]> {
  let q = db.selectFrom('mailbox').selectAll();
  if (filter.to !== undefined) q = q.where('recipient', '=', filter.to);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  const rows = await q.orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    outboxId: r.outbox_id,
    from: r.sender,
    to: r.recipient,
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    raw: r.raw,
    receivedAt: r.received_at,
  }));
}
