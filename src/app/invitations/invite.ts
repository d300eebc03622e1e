import { randomUUID } from 'node:crypto';
import { IMPORT_WORKER } from '../../core/access/policy.js';
import { DEFAULT_SETTINGS, type Settings } from '../../core/domain/settings.js';
import type { InvitePort } from '../../core/import/invite-port.js';
import { renderImportFinished, renderInvitation, renderPasswordReset } from '../../core/mail/templates.js';
import type { Db } from '../../storage/database.js';
import { insertAudit } from '../../storage/queries/audit.js';
import * as invitations from '../../storage/queries/invitations.js';
import { insertEmails, type NewEmail } from '../../storage/queries/outbox.js';
import { findAccounts, type PortalAccount, reopenExpired } from '../../storage/queries/portal.js';
import { announceQueuedMail } from '../mail/announce.js';
import { settingsIn } from '../settings.js';

/**
 * Writing invitations: each is an invitation row and an email in the outbox, in the transaction of
 * the change that causes it (a user created by an import, an admin's resend). Nothing is sent
 * here: the mail worker sends what the outbox holds, and puts a fresh link in each email then.
 */
export const MESSAGE_MAX_LENGTH = 2000;
/** A password reset link lasts an hour. */
export const RESET_TTL_MS = 3_600_000;

/**
 * The settings an email is written with, read in the caller's transaction. `defaults` are
 * `settingDefaults(config)` where the expiry matters (the environment's INVITE_TTL_DAYS); the
 * built-in ones do for the portal's name.
 */
export const mailSettings = (db: Db, defaults: Settings = DEFAULT_SETTINGS): Promise<Settings> =>
  settingsIn(db, defaults);

export const newMessageId = () => `<${randomUUID()}@roster.invalid>`;

export interface InviteOptions {
  /** `reminder` for a user invited before: the same account, a new link. */
  kind: 'invitation' | 'reminder' | 'auto';
  importId: number | null;
  message: string | null;
  createdBy: string;
  at: string;
  /** `settingDefaults(config)`: what the settings are until an administrator sets them. */
  defaults: Settings;
}

/**
 * Invites these users: open invitations of theirs are revoked (their links stop working), a new
 * one is written with its email, and expired users are pending again. Answers how many.
 */
export async function writeInvitations(
  db: Db,
  users: readonly PortalAccount[],
  options: InviteOptions,
): Promise<number> {
  if (users.length === 0) return 0;
  const settings = await mailSettings(db, options.defaults);
  const ids = users.map((u) => u.id);
  const expiresAt = new Date(Date.parse(options.at) + settings.inviteTtlDays * 86_400_000).toISOString();
  const before = options.kind === 'auto' ? await invitations.invitedBefore(db, ids) : new Set<number>();
  await invitations.revokeOpen(db, ids, 'activation', options.at);
  const created = await invitations.insertInvitations(
    db,
    users.map((u) => ({
      userId: u.id,
      purpose: 'activation',
      importId: options.importId,
      createdBy: options.createdBy,
      expiresAt,
      message: options.message,
    })),
    options.at,
  );
  await reopenExpired(db, ids, options.at);
  const emails: NewEmail[] = users.map((u) => {
    const kind: 'invitation' | 'reminder' =
      options.kind === 'auto' ? (before.has(u.id) ? 'reminder' : 'invitation') : options.kind;
    const mail = renderInvitation({
      kind,
      portalName: settings.portalName,
      firstName: u.firstName,
      expiresAt,
      message: options.message,
    });
    return {
      kind,
      recipient: u.email,
      recipientName: u.displayName,
      ...mail,
      messageId: newMessageId(),
      importId: options.importId,
      userId: u.id,
      invitationId: created.get(u.id) ?? null,
      customerId: u.customerId,
    };
  });
  await insertEmails(db, emails, options.at);
  await announceQueuedMail(db);
  return users.length;
}

/** A password reset for an active user: an invitation of purpose `reset` and its email. */
export async function writePasswordReset(db: Db, user: PortalAccount, at: string): Promise<void> {
  const settings = await mailSettings(db);
  const expiresAt = new Date(Date.parse(at) + RESET_TTL_MS).toISOString();
  await invitations.revokeOpen(db, [user.id], 'reset', at);
  const created = await invitations.insertInvitations(
    db,
    [
      {
        userId: user.id,
        purpose: 'reset',
        importId: null,
        createdBy: 'password reset request',
        expiresAt,
        message: null,
      },
    ],
    at,
  );
  const mail = renderPasswordReset({ portalName: settings.portalName, firstName: user.firstName, expiresAt });
  await insertEmails(
    db,
    [
      {
        kind: 'password_reset',
        recipient: user.email,
        recipientName: user.displayName,
        ...mail,
        messageId: newMessageId(),
        importId: null,
        userId: user.id,
        invitationId: created.get(user.id) ?? null,
        customerId: user.customerId,
      },
    ],
    at,
  );
  await announceQueuedMail(db);
}

/**
 * The import-finished notice to the admin who started the import, when the settings ask for it
 * (importFinishedEmail), in the transaction that ends the import.
 */
export async function writeImportFinished(
  db: Db,
  adminId: number,
  done: { importId: number; fileName: string; status: string; counts: Record<string, number> },
  at: string,
): Promise<void> {
  const settings = await mailSettings(db);
  if (!settings.importFinishedEmail) return;
  const admin = await db
    .selectFrom('admins')
    .select(['email', 'name', 'customer_id'])
    .where('id', '=', adminId)
    .executeTakeFirst();
  if (!admin) return;
  const invited = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('import_id', '=', done.importId)
    .where('kind', '=', 'invitation')
    .executeTakeFirstOrThrow();
  const mail = renderImportFinished({
    portalName: settings.portalName,
    ...done,
    invitations: Number(invited.n),
  });
  await insertEmails(
    db,
    [
      {
        kind: 'import_finished',
        recipient: admin.email,
        recipientName: admin.name,
        ...mail,
        messageId: newMessageId(),
        importId: done.importId,
        userId: null,
        invitationId: null,
        customerId: admin.customer_id,
      },
    ],
    at,
  );
  await announceQueuedMail(db);
}

/**
 * The invitation port of the import targets, bound to a batch's transaction: the users a batch
 * created are invited in that same transaction, so an import invites exactly the users it created.
 */
export function importInvitations(db: Db, defaults: Settings, now: () => Date): InvitePort {
  return {
    async inviteCreated(userIds, importId, message) {
      if (userIds.length === 0) return;
      const at = now().toISOString();
      const users = await findAccounts(db, userIds);
      const count = await writeInvitations(db, users, {
        kind: 'invitation',
        importId,
        message,
        createdBy: `import ${importId}`,
        at,
        defaults,
      });
      await insertAudit(db, IMPORT_WORKER, at, {
        action: 'invitation.send',
        entityType: 'import',
        entityId: importId,
        details: { count },
      });
    },
  };
}
