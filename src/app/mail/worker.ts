import { afterFailure, type SendOutcome, takeSlot } from '../../core/mail/sending.js';
import { LINKED_KINDS, withLink } from '../../core/mail/templates.js';
import {
  classifySendError,
  composeRaw,
  type OutgoingMail,
  type SmtpSender,
  smtpSender,
} from '../../mail/transport.js';
import { hashSecret, newSecret } from '../../security/tokens.js';
import { findInvitationForSending, insertToken, sweepExpired } from '../../storage/queries/invitations.js';
import * as outbox from '../../storage/queries/outbox.js';
import type { AppContext } from '../context.js';
import { queueReminders } from '../invitations/remind.js';
import { readSettings } from '../settings.js';
import { inTransaction } from '../shared.js';

/**
 * The mail worker: sends what the outbox holds, one email at a time per process, at the shared
 * rate. An email is claimed (compare-and-set, with a time limit) before it is sent and settled
 * after: several workers never send the same email, and an email whose worker died mid-send is
 * claimed again once the claim runs out (at most one duplicate, never a loss). Temporary failures
 * come back later with back-off; permanent ones fail at once with the server's reason.
 *
 * Without SMTP_URL, "sending" puts the message into the local mailbox, in the same transaction
 * that marks it sent: exactly once.
 *
 * It also runs the invitation sweep once a minute: expiry, then the scheduled reminders.
 *
 * An idle worker sleeps until a wake-up (mail queued in this process, or announced through the job
 * queue with DATABASE_URL: app/mail/announce.ts) or until its next look (MAIL_POLL_SECONDS).
 */
export interface MailWorker {
  wake(): void;
  stop(): Promise<void>;
}

/** How long a claim holds: longer than any send can take (nodemailer's timeouts are shorter). */
export const CLAIM_MS = 5 * 60_000;
const SWEEP_EVERY_MS = 60_000;
/** After an unexpected error (the database away), the next try; not the idle poll, which may be long. */
const ERROR_PAUSE_MS = 5_000;

export function startMailWorker(ctx: AppContext): MailWorker {
  const sender = ctx.config.mail.smtpUrl ? smtpSender(ctx.config.mail.smtpUrl) : null;
  let stopped = false;
  let wakeUp: (() => void) | null = null;
  let woken = false;

  /** Waits `ms`, or less when woken (`wakeable`) or stopped. */
  const pause = (ms: number, wakeable: boolean) =>
    new Promise<void>((resolve) => {
      if (stopped || (wakeable && woken)) {
        woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        if (wakeUp === done) wakeUp = null;
        resolve();
      }
      wakeUp = wakeable ? done : () => (stopped ? done() : undefined);
    });

  const loop = async () => {
    let nextSweep = 0;
    while (!stopped) {
      try {
        const now = Date.now();
        if (now >= nextSweep) {
          nextSweep = now + SWEEP_EVERY_MS;
          await runInvitationSweep(ctx);
        }
        if ((await outbox.readMailState(ctx.db)).paused) {
          await pause(ctx.config.mail.pollMs, true);
          continue;
        }
        const due = await outbox.nextDueAt(ctx.db, now);
        if (due === null || due > now) {
          await pause(
            due === null ? ctx.config.mail.pollMs : Math.min(ctx.config.mail.pollMs, due - now),
            true,
          );
          continue;
        }
        const slotAt = await reserveSlot(ctx);
        if (slotAt > Date.now()) await pause(slotAt - Date.now(), false);
        if (stopped || (await outbox.readMailState(ctx.db)).paused) continue;
        const claimedAt = Date.now();
        const email = await outbox.claimNext(
          ctx.db,
          ctx.workerId,
          claimedAt,
          claimedAt + CLAIM_MS,
          new Date(claimedAt).toISOString(),
        );
        if (email) await deliver(ctx, email, sender);
      } catch (e) {
        ctx.log.error({ err: e }, 'mail worker: unexpected error; trying again shortly');
        await pause(Math.min(ctx.config.mail.pollMs, ERROR_PAUSE_MS), false);
      }
    }
  };
  const running = loop();

  return {
    wake() {
      woken = true;
      wakeUp?.();
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await running;
      sender?.close();
    },
  };
}

/** Takes the next sending slot of the shared rate (all workers of the database share it). */
async function reserveSlot(ctx: AppContext): Promise<number> {
  const { mailRatePerMinute } = await readSettings(ctx);
  const rule = { perMinute: mailRatePerMinute, warmupMs: ctx.config.mail.warmupMinutes * 60_000 };
  return inTransaction(ctx, async (db) => {
    const state = await outbox.lockMailState(db);
    const { slotAt, next } = takeSlot(state, rule, Date.now());
    await outbox.writeRate(db, next.nextSlotAt, next.runStartedAt);
    return slotAt;
  });
}

/**
 * Pending users whose invitation ran out become `expired`; then the reminders that are due are
 * queued (after expiry, so none goes out for an invitation that just ran out).
 */
export async function runInvitationSweep(
  ctx: AppContext,
): Promise<{ invitations: number; users: number; reminders: number }> {
  const result = await inTransaction(ctx, (db) => sweepExpired(db, ctx.now().toISOString()));
  if (result.invitations > 0) ctx.log.info(result, 'expired invitations swept');
  const reminders = await queueReminders(ctx);
  return { ...result, reminders };
}

async function deliver(ctx: AppContext, email: outbox.EmailRecord, sender: SmtpSender | null): Promise<void> {
  const at = () => new Date().toISOString();
  const settle = (result: Parameters<typeof outbox.settleEmail>[3]) =>
    outbox.settleEmail(ctx.db, email.id, ctx.workerId, result, at());

  let link: string | null = null;
  if (LINKED_KINDS.has(email.kind)) {
    const invitation =
      email.invitationId === null ? undefined : await findInvitationForSending(ctx.db, email.invitationId);
    const why =
      email.userId === null || !invitation || invitation.userStatus === null
        ? 'Not sent: the user was deleted before the email went out.'
        : invitation.userStatus === 'disabled'
          ? 'Not sent: the user was disabled before the email went out.'
          : invitation.status !== 'open'
            ? `Not sent: the invitation was ${invitation.status === 'revoked' ? 'replaced by a newer one' : invitation.status} before the email went out.`
            : invitation.expiresAt <= at()
              ? 'Not sent: the invitation expired before the email went out.'
              : null;
    if (why !== null || !invitation) {
      await settle({ status: 'failed', error: why ?? 'Not sent.' });
      ctx.log.info(
        { emailId: email.id, kind: email.kind },
        'email not sent: its invitation is no longer open',
      );
      return;
    }
    // A fresh secret for this email only; the database keeps its hash, the email the secret.
    const token = newSecret('');
    await insertToken(ctx.db, hashSecret(token), invitation.id, at());
    const page = invitation.purpose === 'reset' ? 'reset-password' : 'activate';
    link = `${ctx.config.publicUrl.replace(/\/+$/, '')}/${page}?token=${token}`;
  }
  const content = withLink({ subject: email.subject, text: email.text, html: email.html }, link);
  const mail: OutgoingMail = {
    from: ctx.config.mail.from,
    to: { name: email.recipientName, address: email.recipient },
    ...content,
    messageId: email.messageId,
  };

  if (!sender) {
    const raw = await composeRaw(mail);
    await inTransaction(ctx, async (db) => {
      const now = at();
      await outbox.insertMailboxMessage(db, {
        outboxId: email.id,
        from: mail.from,
        to: mail.to.address,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        raw,
        receivedAt: now,
      });
      if (!(await outbox.settleEmail(db, email.id, ctx.workerId, { status: 'sent' }, now))) {
        throw new Error('lost the claim on the email before delivering it');
      }
    });
    ctx.log.info({ emailId: email.id, kind: email.kind }, 'email delivered to the local mailbox');
    return;
  }

  let outcome: SendOutcome;
  try {
    await sender.send(mail);
    outcome = { kind: 'sent' };
  } catch (e) {
    outcome = classifySendError(e);
  }
  if (outcome.kind === 'sent') {
    await settle({ status: 'sent' });
    ctx.log.info({ emailId: email.id, kind: email.kind, attempts: email.attempts }, 'email sent');
    return;
  }
  const next = afterFailure(outcome, email.attempts, ctx.config.mail, Date.now());
  await settle(
    next.status === 'failed'
      ? { status: 'failed', error: outcome.reason }
      : { status: 'queued', nextAttemptAt: next.nextAttemptAt, error: outcome.reason },
  );
  ctx.log.warn(
    {
      emailId: email.id,
      kind: email.kind,
      attempts: email.attempts,
      outcome: outcome.kind,
      reason: outcome.reason,
    },
    next.status === 'failed' ? 'email failed' : 'email will be tried again',
  );
}
