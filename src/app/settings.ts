import type { Config } from '../config.js';
import { type Actor, authorize } from '../core/access/policy.js';
import { DEFAULT_SETTINGS, type Settings, SettingsPatch } from '../core/domain/settings.js';
import { errors, summarize } from '../core/errors.js';
import { problemsOfIssues } from '../core/problems.js';
import type { Db } from '../storage/database.js';
import { readSettingValues, writeSettingValues } from '../storage/queries/settings.js';
import type { AppContext } from './context.js';
import { audit, inTransaction } from './shared.js';

/**
 * What the settings are until an administrator sets them: the built-in defaults, with the mail
 * rate, the invitation expiry, the reminder and the sender from the environment
 * (MAIL_RATE_PER_MINUTE, INVITE_TTL_DAYS, INVITE_REMINDER_DAYS, MAIL_FROM).
 */
export function settingDefaults(config: Config): Settings {
  return {
    ...DEFAULT_SETTINGS,
    mailRatePerMinute: config.mail.ratePerMinute,
    inviteTtlDays: config.mail.inviteTtlDays,
    inviteReminderDays: config.mail.inviteReminderDays,
    mailFrom: config.mail.from,
  };
}

/** Stored values over `defaults`, read with `db` (a transaction's inside one); unknown keys ignored. */
export async function settingsIn(db: Db, defaults: Settings): Promise<Settings> {
  const stored = await readSettingValues(db);
  const out: Settings = { ...defaults };
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
    const value = stored[key];
    if (typeof value === typeof DEFAULT_SETTINGS[key])
      (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}

export const readSettings = (ctx: AppContext): Promise<Settings> =>
  settingsIn(ctx.db, settingDefaults(ctx.config));

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
    const problems = problemsOfIssues(parsed.error.issues);
    throw errors.problems(problems, 'request.invalid', `Settings not accepted: ${summarize(problems)}`);
  }
  await inTransaction(ctx, async (db) => {
    await writeSettingValues(db, parsed.data, ctx.now().toISOString());
    await audit(ctx, db, actor, { action: 'settings.update', entityType: 'settings', details: parsed.data });
  });
  return readSettings(ctx);
}
