import { type Actor, authorize } from '../core/access/policy.js';
import { DEFAULT_SETTINGS, type Settings, SettingsPatch } from '../core/domain/settings.js';
import { errors } from '../core/errors.js';
import { readSettingValues, writeSettingValues } from '../storage/queries/settings.js';
import type { AppContext } from './context.js';
import { audit, inTransaction } from './shared.js';

/**
 * Stored values over the defaults; unknown stored keys are ignored. The defaults of the mail rate,
 * the invitation expiry and the reminder come from the environment (MAIL_RATE_PER_MINUTE,
 * INVITE_TTL_DAYS, INVITE_REMINDER_DAYS) until an administrator sets them.
 */
export async function readSettings(ctx: AppContext): Promise<Settings> {
  const stored = await readSettingValues(ctx.db);
  const out: Settings = {
    ...DEFAULT_SETTINGS,
    mailRatePerMinute: ctx.config.mail.ratePerMinute,
    inviteTtlDays: ctx.config.mail.inviteTtlDays,
    inviteReminderDays: ctx.config.mail.inviteReminderDays,
  };
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
    const value = stored[key];
    if (typeof value === typeof DEFAULT_SETTINGS[key])
      (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}

export async function getSettings(ctx: AppContext, actor: Actor): Promise<Settings> {
  authorize(actor, 'settings.read');
  return readSettings(ctx);
}

export async function updateSettings(
  ctx: AppContext,
  actor: Actor,
  input: Partial<Settings>,
): Promise<Settings> {
  authorize(actor, 'config.manage');
  const parsed = SettingsPatch.safeParse(input);
  if (!parsed.success) {
    throw errors.validation(`Settings not accepted: ${parsed.error.issues[0]?.message}`, {
      issues: parsed.error.issues,
    });
  }
  await inTransaction(ctx, async (db) => {
    await writeSettingValues(db, parsed.data, ctx.now().toISOString());
    await audit(ctx, db, actor, { action: 'settings.update', entityType: 'settings', details: parsed.data });
  });
  return readSettings(ctx);
}
