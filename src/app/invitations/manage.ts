import { type Actor, authorize, scopedCustomerFilter } from '../../core/access/policy.js';
import { foldKey, normalizeOptional } from '../../core/domain/text.js';
import { errors } from '../../core/errors.js';
import type { OutboxStatus } from '../../core/mail/sending.js';
import type { MailKind } from '../../core/mail/templates.js';
import * as invitations from '../../storage/queries/invitations.js';
import * as outbox from '../../storage/queries/outbox.js';
import { findAccount, findAccounts } from '../../storage/queries/portal.js';
import type { AppContext } from '../context.js';
import { visibleCustomer } from '../customers.js';
import { visibleImport } from '../imports/access.js';
import { settingDefaults } from '../settings.js';
import { audit, inTransaction } from '../shared.js';
import { getUser } from '../users/get-user.js';
import { MESSAGE_MAX_LENGTH, writeInvitations } from './invite.js';

/**
 * The invitation lifecycle as admins drive it: (re)send an invitation to one user or to many (a new
 * link; the old one stops working), and see each user's invitations and emails and an import's
 * emails with their status.
 */
export interface InvitationView {
  id: number;
  userId: number;
  purpose: invitations.InvitationPurpose;
  status: invitations.InvitationStatus;
  importId: number | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  closedAt: string | null;
}

export interface EmailView {
  id: number;
  kind: MailKind;
  recipient: string;
  recipientName: string;
  subject: string;
  /** The plain-text part as stored: the link's place is marked, the link itself is never stored. */
  text: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  importId: number | null;
  userId: number | null;
  invitationId: number | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  /** When the next try is due, for a queued email. */
  nextAttemptAt: string | null;
}

export function toEmailView(e: outbox.EmailRecord): EmailView {
  return {
    id: e.id,
    kind: e.kind,
    recipient: e.recipient,
    recipientName: e.recipientName,
    subject: e.subject,
    text: e.text,
    status: e.status,
    attempts: e.attempts,
    lastError: e.lastError,
    importId: e.importId,
    userId: e.userId,
    invitationId: e.invitationId,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    sentAt: e.sentAt,
    nextAttemptAt: e.status === 'queued' ? new Date(e.nextAttemptAt).toISOString() : null,
  };
}

const toInvitationView = (r: invitations.InvitationRecord): InvitationView => ({ ...r });

/** Statuses an invitation may go to: not yet activated. */
const INVITABLE = ['pending', 'expired'] as const;

function readMessage(message: string | null | undefined): string | null {
  const text = normalizeOptional(message ?? null);
  if (text !== null && text.length > MESSAGE_MAX_LENGTH) {
    throw errors.field(
      'request.invalid',
      'message',
      `The message may be at most ${MESSAGE_MAX_LENGTH} characters.`,
      { problem: 'text.too_long' },
    );
  }
  return text;
}

/** Sends (again) an invitation to one pending or expired user, or an active one without a password. */
export async function inviteUser(
  ctx: AppContext,
  actor: Actor,
  userId: number,
  input: { message?: string | null },
): Promise<InvitationView> {
  authorize(actor, 'users.manage');
  await getUser(ctx, actor, userId);
  const message = readMessage(input.message);
  const invitationId = await inTransaction(ctx, async (db) => {
    const user = await findAccount(db, userId);
    if (!user) throw errors.notFound('user', userId);
    const allowed =
      (INVITABLE as readonly string[]).includes(user.status) ||
      (user.status === 'active' && user.passwordHash === null);
    if (!allowed) {
      throw errors.conflict(
        'invitation.not_invitable',
        `This user is ${user.status}${user.status === 'active' ? ' and has a password' : ''}: only pending and expired users get an invitation.`,
        { status: user.status },
      );
    }
    const at = ctx.now().toISOString();
    await writeInvitations(db, [user], {
      kind: 'auto',
      importId: null,
      message,
      createdBy: actor.label,
      at,
      defaults: settingDefaults(ctx.config),
    });
    await audit(ctx, db, actor, {
      action: 'invitation.send',
      entityType: 'user',
      entityId: user.id,
      customerId: user.customerId,
      details: { email: user.email },
    });
    const [latest] = await invitations.listForUser(db, user.id, 1);
    return latest!.id;
  });
  const created = await invitations.findInvitation(ctx.db, invitationId);
  return toInvitationView(created!);
}

export interface BulkResendInput {
  importId?: number;
  customerId?: number;
  siteId?: number;
  roleId?: number;
  groupId?: number;
  status?: ('pending' | 'expired')[];
  message?: string | null;
}

/**
 * Resends invitations to every pending or expired user of an import (the users it created) or of
 * a filter, within the actor's scope, a page of users per transaction.
 */
export async function resendInvitations(
  ctx: AppContext,
  actor: Actor,
  input: BulkResendInput,
): Promise<{ invited: number }> {
  authorize(actor, 'users.manage');
  if (input.importId === undefined && input.customerId === undefined && actor.customerId === null) {
    throw errors.field(
      'request.invalid',
      'importId',
      'Name an import (importId) or a customer (customerId) whose users to invite.',
      { problem: 'invitation.scope_required' },
    );
  }
  if (input.importId !== undefined) await visibleImport(ctx, actor, input.importId, 'imports.read');
  if (input.customerId !== undefined) await visibleCustomer(ctx, actor, input.customerId);
  const message = readMessage(input.message);
  const customerId = actor.customerId ?? input.customerId;
  const filter: invitations.InvitableFilter = {
    statuses: input.status && input.status.length > 0 ? input.status : INVITABLE,
    ...(input.importId !== undefined && { importId: input.importId }),
    ...(customerId !== undefined && { customerId }),
    ...(input.siteId !== undefined && { siteId: input.siteId }),
    ...(input.roleId !== undefined && { roleId: input.roleId }),
    ...(input.groupId !== undefined && { groupId: input.groupId }),
  };
  let after = 0;
  let invited = 0;
  for (;;) {
    const ids = await invitations.invitableUserIds(ctx.db, filter, after, 500);
    if (ids.length === 0) break;
    after = ids[ids.length - 1]!;
    invited += await inTransaction(ctx, async (db) => {
      // Read again in the transaction: only users still pending or expired are invited.
      const users = (await findAccounts(db, ids)).filter((u) => filter.statuses.includes(u.status));
      const at = ctx.now().toISOString();
      const n = await writeInvitations(db, users, {
        kind: 'auto',
        importId: input.importId ?? null,
        message,
        createdBy: actor.label,
        at,
        defaults: settingDefaults(ctx.config),
      });
      return n;
    });
  }
  await inTransaction(ctx, (db) =>
    audit(ctx, db, actor, {
      action: 'invitation.resend',
      entityType: input.importId !== undefined ? 'import' : 'customer',
      entityId: input.importId ?? customerId ?? null,
      customerId: customerId ?? null,
      details: { invited, ...filter },
    }),
  );
  return { invited };
}

export async function listUserInvitations(
  ctx: AppContext,
  actor: Actor,
  userId: number,
): Promise<InvitationView[]> {
  await getUser(ctx, actor, userId);
  return (await invitations.listForUser(ctx.db, userId)).map(toInvitationView);
}

export async function listUserEmails(ctx: AppContext, actor: Actor, userId: number): Promise<EmailView[]> {
  await getUser(ctx, actor, userId);
  return (await outbox.listEmails(ctx.db, { userId, limit: 200 })).map(toEmailView);
}

export async function listImportEmails(
  ctx: AppContext,
  actor: Actor,
  importId: number,
  query: { status?: OutboxStatus[]; limit?: number; before?: number },
): Promise<{ counts: Record<OutboxStatus, number>; items: EmailView[]; nextCursor: number | null }> {
  await visibleImport(ctx, actor, importId, 'imports.read');
  const limit = query.limit ?? 100;
  const [counts, rows] = await Promise.all([
    outbox.countByStatus(ctx.db, { importId }),
    outbox.listEmails(ctx.db, {
      importId,
      limit: limit + 1,
      ...(query.status && { status: query.status }),
      ...(query.before !== undefined && { beforeId: query.before }),
    }),
  ]);
  const items = rows.slice(0, limit).map(toEmailView);
  return { counts, items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

/**
 * The outbox: every email, newest first, with the counts by status of everything the filter
 * matches. A customer-scoped admin sees only the email of its customer.
 */
export async function listOutbox(
  ctx: AppContext,
  actor: Actor,
  query: {
    status?: OutboxStatus[];
    kind?: MailKind[];
    /** Start of the recipient's address or name, any case. */
    recipient?: string;
    customerId?: number;
    importId?: number;
    userId?: number;
    limit?: number;
    before?: number;
  },
): Promise<{ counts: Record<OutboxStatus, number>; items: EmailView[]; nextCursor: number | null }> {
  authorize(actor, 'directory.read');
  if (query.customerId !== undefined) await visibleCustomer(ctx, actor, query.customerId);
  if (query.importId !== undefined) await visibleImport(ctx, actor, query.importId, 'imports.read');
  if (query.userId !== undefined) await getUser(ctx, actor, query.userId);
  const customerId = scopedCustomerFilter(actor, query.customerId);
  const recipient = foldKey(query.recipient ?? '');
  const filter: outbox.EmailFilter = {
    ...(customerId !== undefined && { customerId }),
    ...(query.importId !== undefined && { importId: query.importId }),
    ...(query.userId !== undefined && { userId: query.userId }),
    ...(query.kind && query.kind.length > 0 && { kind: query.kind }),
    ...(recipient !== '' && { recipient }),
  };
  const limit = query.limit ?? 100;
  const [counts, rows] = await Promise.all([
    outbox.countByStatus(ctx.db, filter),
    outbox.listEmails(ctx.db, {
      ...filter,
      limit: limit + 1,
      ...(query.status && { status: query.status }),
      ...(query.before !== undefined && { beforeId: query.before }),
    }),
  ]);
  const items = rows.slice(0, limit).map(toEmailView);
  return { counts, items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}
