import type { Selectable } from 'kysely';
import type { OutboxStatus } from '../../core/mail/sending.js';
import type { MailKind } from '../../core/mail/templates.js';
import type { Db } from '../database.js';
import type { OutboxTable } from '../schema.js';

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
 * Claims the next due email for `worker` until `until`: a queued one whose time has come, or one
 * whose sender died mid-send (its claim ran out: sent again, so at most one duplicate and no loss).
 * The claim is a compare-and-set, so two workers never hold the same email.
 */
export async function claimNext(db: Db, worker: string, now: number, until: number, at: string) {
  for (let round = 0; round < 5; round++) {
    const candidates = await db
      .selectFrom('outbox')
      .select(['id', 'status'])
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<', now)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(5)
      .execute();
    if (candidates.length === 0) return undefined;
    for (const c of candidates) {
      const r = await db
        .updateTable('outbox')
        .set((eb) => ({
          status: 'sending',
          claimed_by: worker,
          claimed_until: until,
          attempts: eb('attempts', '+', 1),
          updated_at: at,
        }))
        .where('id', '=', c.id)
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
            eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<', now)]),
          ]),
        )
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) return findEmail(db, c.id);
    }
  }
  return undefined;
}

export async function findEmail(db: Db, id: number): Promise<EmailRecord | undefined> {
  const r = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toRecord(r);
}

/** Ends a claim: sent, back to the queue for a later try, or failed. Only the claim's holder may. */
export async function settleEmail(
  db: Db,
  id: number,
  worker: string,
  result:
    | { status: 'sent' }
    | { status: 'queued'; nextAttemptAt: number; error: string }
    | { status: 'failed'; error: string },
  at: string,
): Promise<boolean> {
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
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('claimed_by', '=', worker)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface EmailFilter {
  importId?: number;
  userId?: number;
  customerId?: number;
  status?: OutboxStatus[];
}

export async function listEmails(
  db: Db,
  filter: EmailFilter & { limit: number; beforeId?: number },
): Promise<EmailRecord[]> {
  let q = db.selectFrom('outbox').selectAll();
  if (filter.importId !== undefined) q = q.where('import_id', '=', filter.importId);
  if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
  if (filter.customerId !== undefined) q = q.where('customer_id', '=', filter.customerId);
  if (filter.status && filter.status.length > 0) q = q.where('status', 'in', filter.status);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  const rows = await q.orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(toRecord);
}

export async function countByStatus(db: Db, filter: EmailFilter): Promise<Record<OutboxStatus, number>> {
  let q = db
    .selectFrom('outbox')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status');
  if (filter.importId !== undefined) q = q.where('import_id', '=', filter.importId);
  if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
  if (filter.customerId !== undefined) q = q.where('customer_id', '=', filter.customerId);
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

/** Reads the state for a change: on PostgreSQL the row stays locked until the transaction ends. */
export async function lockMailState(db: Db): Promise<MailStateRecord> {
  // An update that changes nothing takes the row lock on PostgreSQL; SQLite's write lock is held already.
  await db
    .updateTable('mail_state')
    .set((eb) => ({ paused: eb.ref('paused') }))
    .where('id', '=', 1)
    .execute();
  return readMailState(db);
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
