import { type Actor, authorize } from '../../core/access/policy.js';
import type { OutboxStatus } from '../../core/mail/sending.js';
import * as outbox from '../../storage/queries/outbox.js';
import type { AppContext } from '../context.js';
import { readSettings } from '../settings.js';
import { audit, inTransaction } from '../shared.js';
import { announceQueuedMail } from './announce.js';

/**
 * Sending as a whole, for administrators: its state (paused, transport, rate, counts), pausing and
 * resuming, and the local mailbox of the embedded default. Global, so a customer-scoped admin has
 * none of it (config.manage).
 */
export interface MailStatus {
  paused: boolean;
  transport: 'smtp' | 'mailbox';
  from: string;
  ratePerMinute: number;
  warmupMinutes: number;
  maxAttempts: number;
  counts: Record<OutboxStatus, number>;
}

export async function mailStatus(ctx: AppContext, actor: Actor): Promise<MailStatus> {
  authorize(actor, 'config.manage');
  const [state, counts, settings] = await Promise.all([
    outbox.readMailState(ctx.db),
    outbox.countByStatus(ctx.db, {}),
    readSettings(ctx),
  ]);
  return {
    paused: state.paused,
    transport: ctx.config.mail.smtpUrl ? 'smtp' : 'mailbox',
    from: settings.mailFrom,
    ratePerMinute: settings.mailRatePerMinute,
    warmupMinutes: ctx.config.mail.warmupMinutes,
    maxAttempts: ctx.config.mail.maxAttempts,
    counts,
  };
}

/** Pauses or resumes sending for every worker; queued email waits meanwhile, nothing is lost. */
export async function setMailPaused(ctx: AppContext, actor: Actor, paused: boolean): Promise<MailStatus> {
  authorize(actor, 'config.manage');
  await inTransaction(ctx, async (db) => {
    await outbox.setPaused(db, paused);
    await audit(ctx, db, actor, { action: paused ? 'mail.pause' : 'mail.resume', entityType: 'mail' });
    // Either way the workers look again now: to hold back, or to send what waited while paused.
    await announceQueuedMail(db);
  });
  return mailStatus(ctx, actor);
}

export async function listMailbox(
  ctx: AppContext,
  actor: Actor,
  query: { to?: string; limit?: number; before?: number },
): Promise<{ items: Omit<outbox.MailboxMessage, 'raw'>[]; nextCursor: number | null }> {
  authorize(actor, 'config.manage');
  const limit = query.limit ?? 50;
  const rows = await outbox.listMailbox(ctx.db, {
    limit: limit + 1,
    ...(query.to !== undefined && { to: query.to }),
    ...(query.before !== undefined && { beforeId: query.before }),
  });
  const items = rows.slice(0, limit).map(({ raw: _raw, ...rest }) => rest);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}
