import { afterFailure, planSlots, type SendOutcome } from '../../core/mail/sending.js';
import { LINKED_KINDS, withLink } from '../../core/mail/templates.js';
import {
  classifySendError,
  composeRaw,
  type OutgoingMail,
  type SmtpSender,
  smtpSender,
} from '../../mail/transport.js';
import { hashSecret, newSecret } from '../../security/tokens.js';
import {
  findInvitationsForSending,
  type InvitationForSending,
  insertTokens,
} from '../../storage/queries/invitations.js';
import * as outbox from '../../storage/queries/outbox.js';
import type { AppContext } from '../context.js';
import { expireInvitationsDue } from '../invitations/expire.js';
import { queueReminders } from '../invitations/remind.js';
import { readSettings } from '../settings.js';
import { inTransaction } from '../shared.js';

/**
 * The mail worker: sends what the outbox holds at the shared rate, in small batches. Each round
 * takes, in one transaction, the rate slots of the next second (at most BATCH_MAX) and claims as
 * many due emails (compare-and-set, with a time limit); it then reads their invitations and writes
 * their links' tokens in one statement each, sends the emails one by one, each at its own slot, and
 * settles the results in one statement per outcome. Several workers never send the same email, and
 * an email whose worker died before settling it is claimed again once the claim runs out (at most
 * one duplicate, never a loss). Temporary failures come back later with back-off; permanent ones
 * fail at once with the server's reason.
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
  /** Starts its loop (once; later calls do nothing). */
  start(): void;
  /** Has it look at the outbox now: called only for the job queue's mail wake-ups. */
  wake(): void;
  /** Whether it waits for a wake-up or its next look, with nothing to send now (or sending paused). */
  idle(): boolean;
  stop(): Promise<void>;
}

/** How long a claim holds: longer than any batch may run (see SEND_MARGIN_MS). */
export const CLAIM_MS = 5 * 60_000;
/**
 * A round takes the rate slots that fall within this much time, so a batch never runs ahead of
 * the rate, an invitation's state is at most about this old when its email goes, and a pause is
 * heard within about this long.
 */
export const BATCH_HORIZON_MS = 1_000;
/** At most this many emails a round, whatever the rate (a second at 100,000 a minute is 1,666). */
export const BATCH_MAX = 50;
/**
 * A send begins only while its claim has this long left: longer than one send can take
 * (nodemailer's timeouts), so a claim never runs out mid-send even when the relay is slow.
 */
const SEND_MARGIN_MS = 2 * 60_000;
/** A batch reads its invitations again (still open? user disabled?) when what it read is older. */
const FRESH_MS = 1_000;
/** Results are written at the end of a batch, or sooner when the oldest unwritten one is this old. */
const SETTLE_AFTER_MS = 1_000;
/** A claim came back empty although the outbox said mail was due (another worker took it). */
const EMPTY_CLAIM_PAUSE_MS = 100;
const SWEEP_EVERY_MS = 60_000;
/** After an unexpected error (the database away), the next try; not the idle poll, which may be long. */
const ERROR_PAUSE_MS = 5_000;

/** A mail worker made and started at once. */
export function startMailWorker(ctx: AppContext): MailWorker {
  const worker = mailWorker(ctx);
  worker.start();
  return worker;
}

/** A mail worker for `ctx`, not started yet: idle, sending nothing, until `start`. */
export function mailWorker(ctx: AppContext): MailWorker {
  let sender: ReturnType<typeof smtpSender> | null = null;
  let stopped = false;
  let wakeUp: (() => void) | null = null;
  let woken = false;
  let idle = false;
  let caughtUp = false;

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
        idle = false;
        resolve();
      }
      idle = wakeable;
      wakeUp = wakeable ? done : () => (stopped ? done() : undefined);
    });
  const control: BatchControl = { wait: (ms) => pause(ms, false), stopped: () => stopped };

  const loop = async () => {
    let nextSweep = 0;
    // Whether to ask the outbox when mail is due before claiming: not after a full batch, when more
    // is most likely due already.
    let look = true;
    while (!stopped) {
      try {
        const now = Date.now();
        if (now >= nextSweep) {
          nextSweep = now + SWEEP_EVERY_MS;
          await runInvitationSweep(ctx);
        }
        if (look) {
          const due = await outbox.nextDueAt(ctx.db, now);
          if (due === null || due > now) {
            if (!caughtUp) {
              caughtUp = true;
              ctx.log.info({ workerId: ctx.workerId }, 'mail worker: the outbox is sent; waiting for mail');
            }
            await pause(
              due === null ? ctx.config.mail.pollMs : Math.min(ctx.config.mail.pollMs, due - now),
              true,
            );
            continue;
          }
        }
        const round = await claimRound(ctx);
        if (round.kind === 'paused') {
          look = true;
          await pause(ctx.config.mail.pollMs, true);
          continue;
        }
        if (round.kind === 'later') {
          look = false;
          await pause(round.at - Date.now(), false);
          continue;
        }
        if (round.emails.length === 0) {
          if (!look) look = true;
          else await pause(Math.min(ctx.config.mail.pollMs, EMPTY_CLAIM_PAUSE_MS), true);
          continue;
        }
        look = round.emails.length < round.wanted;
        await deliverBatch(ctx, round, sender, control);
      } catch (e) {
        look = true;
        ctx.log.error({ err: e }, 'mail worker: unexpected error; trying again shortly');
        await pause(Math.min(ctx.config.mail.pollMs, ERROR_PAUSE_MS), false);
      }
    }
  };
  let running: Promise<void> | null = null;

  return {
    start() {
      if (running || stopped) return;
      sender = ctx.config.mail.smtpUrl ? smtpSender(ctx.config.mail.smtpUrl) : null;
      running = loop();
    },
    wake() {
      woken = true;
      wakeUp?.();
    },
    // Not started: nothing is being sent, so it is as good as idle.
    idle: () => running === null || (idle && !woken),
    async stop() {
      stopped = true;
      wakeUp?.();
      await running;
      sender?.close();
    },
  };
}

interface BatchControl {
  /** Waits `ms`, or less when the worker stops. */
  wait(ms: number): Promise<void>;
  stopped(): boolean;
}

interface ClaimedEmail {
  email: outbox.EmailRecord;
  /** Its slot of the shared rate: it is not sent before. */
  slotAt: number;
}

type Round =
  | { kind: 'paused' }
  /** The next free slot is further away than a batch looks ahead: look again at `at`. */
  | { kind: 'later'; at: number }
  /** `from`: the sender setting as the round began. */
  | { kind: 'claimed'; emails: ClaimedEmail[]; wanted: number; claimedUntil: number; from: string };

/**
 * One transaction: the pause flag and the shared rate (row-locked on PostgreSQL, the write lock on
 * SQLite, so workers take turns), the slots of the next BATCH_HORIZON_MS, and as many due emails
 * claimed as there are slots. Only the slots of the emails claimed are taken.
 */
async function claimRound(ctx: AppContext): Promise<Round> {
  const { mailRatePerMinute, mailFrom } = await readSettings(ctx);
  const rule = { perMinute: mailRatePerMinute, warmupMs: ctx.config.mail.warmupMinutes * 60_000 };
  return inTransaction(ctx, async (db): Promise<Round> => {
    const state = await outbox.lockMailState(db);
    if (state.paused) return { kind: 'paused' };
    const now = Date.now();
    const slots = planSlots(state, rule, now, BATCH_HORIZON_MS, BATCH_MAX);
    if (slots.length === 0) return { kind: 'later', at: state.nextSlotAt - BATCH_HORIZON_MS };
    const claimedUntil = now + CLAIM_MS;
    const emails = await outbox.claimDue(db, {
      worker: ctx.workerId,
      now,
      until: claimedUntil,
      at: new Date(now).toISOString(),
      limit: slots.length,
    });
    const last = slots[emails.length - 1];
    if (last) await outbox.writeRate(db, last.next.nextSlotAt, last.next.runStartedAt);
    return {
      kind: 'claimed',
      emails: emails.map((email, i) => ({ email, slotAt: slots[i]!.slotAt })),
      wanted: slots.length,
      claimedUntil,
      from: mailFrom,
    };
  });
}

/**
 * Pending users whose invitation ran out become `expired`; then the reminders that are due are
 * queued (after expiry, so none goes out for an invitation that just ran out).
 */
export async function runInvitationSweep(
  ctx: AppContext,
): Promise<{ invitations: number; users: number; reminders: number }> {
  const result = await inTransaction(ctx, (db) => expireInvitationsDue(db, ctx.now().toISOString()));
  if (result.invitations > 0) ctx.log.info(result, 'expired invitations swept');
  const reminders = await queueReminders(ctx);
  return { ...result, reminders };
}

/** Whether an email with a link may go: its link, or why not (the invitation or user changed). */
type LinkVerdict = { sendable: true; link: string } | { sendable: false; why: string };

interface Links {
  /** When the invitations behind the verdicts were read. */
  readAt: number;
  /** By email id; emails without a link have none. */
  verdicts: Map<number, LinkVerdict>;
}

function whyNotSent(
  email: outbox.EmailRecord,
  invitation: InvitationForSending | undefined,
  at: string,
): string | null {
  if (email.userId === null || !invitation || invitation.userStatus === null) {
    return 'Not sent: the user was deleted before the email went out.';
  }
  if (invitation.userStatus === 'disabled')
    return 'Not sent: the user was disabled before the email went out.';
  if (invitation.status !== 'open') {
    return `Not sent: the invitation was ${invitation.status === 'revoked' ? 'replaced by a newer one' : invitation.status} before the email went out.`;
  }
  if (invitation.expiresAt <= at) return 'Not sent: the invitation expired before the email went out.';
  return null;
}

async function readInvitations(
  ctx: AppContext,
  emails: readonly outbox.EmailRecord[],
): Promise<Map<number, InvitationForSending>> {
  const ids = [...new Set(emails.flatMap((e) => (e.invitationId === null ? [] : [e.invitationId])))];
  return ids.length === 0 ? new Map() : findInvitationsForSending(ctx.db, ids);
}

/**
 * The links of a batch: its invitations read in one query, and for each email that may go a fresh
 * 256-bit secret whose SHA-256 is written (one statement for the batch); the email keeps the secret.
 */
async function prepareLinks(ctx: AppContext, emails: readonly outbox.EmailRecord[]): Promise<Links> {
  const linked = emails.filter((e) => LINKED_KINDS.has(e.kind));
  const readAt = Date.now();
  const invitations = await readInvitations(ctx, linked);
  const at = new Date().toISOString();
  const verdicts = new Map<number, LinkVerdict>();
  const tokens: { tokenHash: string; invitationId: number }[] = [];
  const base = ctx.config.publicUrl.replace(/\/+$/, '');
  for (const email of linked) {
    const invitation = email.invitationId === null ? undefined : invitations.get(email.invitationId);
    const why = whyNotSent(email, invitation, at);
    if (why !== null || !invitation) {
      verdicts.set(email.id, { sendable: false, why: why ?? 'Not sent.' });
      continue;
    }
    const token = newSecret('');
    tokens.push({ tokenHash: hashSecret(token), invitationId: invitation.id });
    const page = invitation.purpose === 'reset' ? 'reset-password' : 'activate';
    verdicts.set(email.id, { sendable: true, link: `${base}/${page}?token=${token}` });
  }
  await insertTokens(ctx.db, tokens, at);
  return { readAt, verdicts };
}

/** Reads the invitations of the emails still to go again; those no longer sendable lose their link. */
async function refreshLinks(
  ctx: AppContext,
  links: Links,
  emails: readonly outbox.EmailRecord[],
): Promise<Links> {
  const readAt = Date.now();
  const sendable = emails.filter((e) => links.verdicts.get(e.id)?.sendable === true);
  const invitations = await readInvitations(ctx, sendable);
  const at = new Date().toISOString();
  const verdicts = new Map(links.verdicts);
  for (const email of sendable) {
    const invitation = email.invitationId === null ? undefined : invitations.get(email.invitationId);
    const why = whyNotSent(email, invitation, at);
    if (why !== null) verdicts.set(email.id, { sendable: false, why });
  }
  return { readAt, verdicts };
}

/**
 * Results waiting to be written: one statement per distinct result (all the sent ones together),
 * then each email's log line.
 */
class PendingResults {
  private items: { id: number; result: outbox.SettleResult; log: () => void }[] = [];
  private oldestAt = 0;

  constructor(private readonly ctx: AppContext) {}

  add(id: number, result: outbox.SettleResult, log: () => void): void {
    if (this.items.length === 0) this.oldestAt = Date.now();
    this.items.push({ id, result, log });
  }

  get due(): boolean {
    return this.items.length > 0 && Date.now() - this.oldestAt >= SETTLE_AFTER_MS;
  }

  async flush(): Promise<void> {
    const items = this.items;
    if (items.length === 0) return;
    const groups = new Map<string, { result: outbox.SettleResult; ids: number[] }>();
    for (const item of items) {
      const key = JSON.stringify(item.result);
      const group = groups.get(key) ?? { result: item.result, ids: [] };
      group.ids.push(item.id);
      groups.set(key, group);
    }
    const at = new Date().toISOString();
    for (const [key, group] of groups) {
      const settled = await outbox.settleEmails(this.ctx.db, group.ids, this.ctx.workerId, group.result, at);
      // Written: these no longer wait, whatever happens to the next group.
      this.items = this.items.filter((item) => JSON.stringify(item.result) !== key);
      if (settled < group.ids.length) {
        this.ctx.log.warn(
          { emailIds: group.ids, settled, status: group.result.status },
          'mail worker: the claim on some emails ran out before their result was written',
        );
      }
    }
    for (const item of items) item.log();
  }
}

async function deliverBatch(
  ctx: AppContext,
  batch: { emails: ClaimedEmail[]; claimedUntil: number; from: string },
  sender: SmtpSender | null,
  control: BatchControl,
): Promise<void> {
  const emails = batch.emails.map((c) => c.email);
  const results = new PendingResults(ctx);
  // Emails before this index were tried (or are being tried): never given back untried.
  let tried = 0;
  try {
    let links = await prepareLinks(ctx, emails);
    for (const { email, slotAt } of batch.emails) {
      if (slotAt > Date.now()) await control.wait(slotAt - Date.now());
      if (control.stopped() || Date.now() + SEND_MARGIN_MS > batch.claimedUntil) break;
      if (Date.now() - links.readAt > FRESH_MS) links = await refreshLinks(ctx, links, emails.slice(tried));
      tried++;
      await deliver(ctx, email, links.verdicts.get(email.id) ?? null, sender, results, batch.from);
      if (results.due) await results.flush();
    }
  } finally {
    // Best effort: after a database error these fail too, and the claims run out instead.
    try {
      await results.flush();
      await outbox.releaseEmails(
        ctx.db,
        emails.slice(tried).map((e) => e.id),
        ctx.workerId,
        new Date().toISOString(),
      );
    } catch (e) {
      ctx.log.error({ err: e }, 'mail worker: could not settle a batch; its claims will run out');
    }
  }
}

async function deliver(
  ctx: AppContext,
  email: outbox.EmailRecord,
  verdict: LinkVerdict | null,
  sender: SmtpSender | null,
  results: PendingResults,
  from: string,
): Promise<void> {
  if (verdict && !verdict.sendable) {
    results.add(email.id, { status: 'failed', error: verdict.why }, () =>
      ctx.log.info(
        { emailId: email.id, kind: email.kind },
        'email not sent: its invitation is no longer open',
      ),
    );
    return;
  }
  const content = withLink(
    { subject: email.subject, text: email.text, html: email.html },
    verdict?.link ?? null,
  );
  const mail: OutgoingMail = {
    from,
    to: { name: email.recipientName, address: email.recipient },
    ...content,
    messageId: email.messageId,
  };

  if (!sender) {
    // The mailbox row and the mark in one transaction: delivered exactly once.
    const raw = await composeRaw(mail);
    await inTransaction(ctx, async (db) => {
      const now = new Date().toISOString();
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
      if ((await outbox.settleEmails(db, [email.id], ctx.workerId, { status: 'sent' }, now)) !== 1) {
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
    results.add(email.id, { status: 'sent' }, () =>
      ctx.log.info({ emailId: email.id, kind: email.kind, attempts: email.attempts }, 'email sent'),
    );
    return;
  }
  const failure = outcome;
  const next = afterFailure(failure, email.attempts, ctx.config.mail, Date.now());
  results.add(
    email.id,
    next.status === 'failed'
      ? { status: 'failed', error: failure.reason }
      : { status: 'queued', nextAttemptAt: next.nextAttemptAt, error: failure.reason },
    () =>
      ctx.log.warn(
        {
          emailId: email.id,
          kind: email.kind,
          attempts: email.attempts,
          outcome: failure.kind,
          reason: failure.reason,
        },
        next.status === 'failed' ? 'email failed' : 'email will be tried again',
      ),
  );
}
