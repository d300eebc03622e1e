import { SYSTEM_ACTOR } from '../core/access/policy.js';
import { emailKey, normalizeEmail } from '../core/domain/email.js';
import { hashPassword } from '../security/passwords.js';
import { generatePassword } from '../security/tokens.js';
import { countAdmins, insertAdmin } from '../storage/queries/admins.js';
import type { AppContext } from './context.js';
import { audit, inTransaction } from './shared.js';

export interface FirstAdmin {
  email: string;
  /** Only when it was generated: the caller shows it once. */
  generatedPassword: string | null;
}

/**
 * On an empty database, creates the first administrator: from the configured email and
 * password, or with a generated password that the caller prints once.
 */
export async function ensureFirstAdmin(ctx: AppContext): Promise<FirstAdmin | null> {
  if ((await countAdmins(ctx.db)) > 0) return null;
  const configured = ctx.config.bootstrapAdmin;
  const email = normalizeEmail(configured?.email ?? 'admin@roster.local');
  const password = configured?.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  await inTransaction(ctx, async (db) => {
    if ((await countAdmins(db)) > 0) return;
    const admin = await insertAdmin(
      db,
      {
        email,
        emailKey: emailKey(email),
        name: 'Administrator',
        role: 'administrator',
        customerId: null,
        passwordHash,
      },
      ctx.now().toISOString(),
    );
    await audit(ctx, db, SYSTEM_ACTOR, {
      action: 'admin.bootstrap',
      entityType: 'admin',
      entityId: admin.id,
    });
  });
  return { email, generatedPassword: configured ? null : password };
}
