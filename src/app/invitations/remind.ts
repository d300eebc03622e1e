import { type Actor, systemActor } from '../../core/access/policy.js';
import { renderInvitation } from '../../core/mail/templates.js';
import { insertAudit } from '../../storage/queries/audit.js';
import { markReminded, reminderCandidates } from '../../storage/queries/invitations.js';
import { insertEmails, type NewEmail } from '../../storage/queries/outbox.js';
import { findAccounts } from '../../storage/queries/portal.js';
import type { AppContext } from '../context.js';
import { announceQueuedMail } from '../mail/announce.js';
import { readSettings } from '../settings.js';
import { inTransaction } from '../shared.js';
import { mailSettings, newMessageId } from './invite.js';

/** Invitations reminded per transaction. */
const BATCH = 500;

const REMINDER_SWEEP: Actor = systemActor('invitation reminders');

/**
 * Scheduled reminders: `inviteReminderDays` after an invitation, a user still pending whose
 * invitation is open and whose invitation email went out gets one reminder, with a fresh link to
 * the same invitation (its expiry unchanged) and the administrator's message of the invitation. Never after the invitation expired, was used or
 * replaced, never to an active, disabled or expired user, never twice: each invitation is marked
 * reminded (compare-and-set) in the transaction that queues its email, so several workers sweeping
 * at once remind it once. Run by the mail worker's sweep, after expiry. Answers how many it queued.
 */
export async function queueReminders(ctx: AppContext): Promise<number> {
  const { inviteReminderDays } = await readSettings(ctx);
  if (inviteReminderDays <= 0) return 0;
  const now = ctx.now();
  const at = now.toISOString();
  const createdBefore = new Date(now.getTime() - inviteReminderDays * 86_400_000).toISOString();
  let queued = 0;
  for (;;) {
    const round = await inTransaction(ctx, async (db) => {
      const candidates = await reminderCandidates(db, { createdBefore, now: at, limit: BATCH });
      const won = await markReminded(db, candidates, at);
      if (won.length === 0) return { candidates: candidates.length, reminded: 0 };
      const settings = await mailSettings(db);
      const users = new Map(
        (
          await findAccounts(
            db,
            won.map((w) => w.userId),
          )
        ).map((u) => [u.id, u]),
      );
      const emails: NewEmail[] = [];
      for (const invitation of won) {
        const user = users.get(invitation.userId);
        if (!user) continue;
        emails.push({
          kind: 'reminder',
          recipient: user.email,
          recipientName: user.displayName,
          ...renderInvitation({
            kind: 'reminder',
            portalName: settings.portalName,
            firstName: user.firstName,
            expiresAt: invitation.expiresAt,
            message: invitation.message,
          }),
          messageId: newMessageId(),
          importId: invitation.importId,
          userId: user.id,
          invitationId: invitation.id,
          customerId: user.customerId,
        });
      }
      await insertEmails(db, emails, at);
      await insertAudit(db, REMINDER_SWEEP, at, {
        action: 'invitation.remind',
        entityType: 'invitation',
        details: { count: emails.length, afterDays: inviteReminderDays },
      });
      await announceQueuedMail(db);
      return { candidates: candidates.length, reminded: emails.length };
    });
    queued += round.reminded;
    if (round.candidates < BATCH) break;
  }
  if (queued > 0) ctx.log.info({ reminders: queued }, 'invitation reminders queued');
  return queued;
}
