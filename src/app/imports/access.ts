import { type Actor, assertInScope, authorize, type Permission } from '../../core/access/policy.js';
import { appError, errors } from '../../core/errors.js';
import { findImport, type ImportRecord } from '../../storage/queries/imports.js';
import type { AppContext } from '../context.js';
import { readSettings } from '../settings.js';
import type { AnyBinding } from './registry.js';

/** The import, if the actor may see it: a scoped admin sees only imports made within their scope. */
export async function visibleImport(
  ctx: AppContext,
  actor: Actor,
  id: number,
  permission: Permission,
): Promise<ImportRecord> {
  authorize(actor, permission);
  const rec = await findImport(ctx.db, id);
  const notFound = () => errors.notFound('import', id);
  if (!rec) throw notFound();
  assertInScope(actor, rec.scopeCustomerId, notFound);
  return rec;
}

/**
 * Refuses an admin without the Administrator role a target the settings keep to administrators
 * (creating and committing its imports), with a typed 403 that names the setting.
 */
export async function assertTargetAllowed(ctx: AppContext, actor: Actor, binding: AnyBinding): Promise<void> {
  if (!binding.administratorOnly || actor.role === 'administrator') return;
  if (!binding.administratorOnly(await readSettings(ctx))) return;
  throw appError(
    'import.administrator_required',
    `Only an admin with the Administrator role may create or commit "${binding.target.label}" imports: a setting keeps them to administrators.`,
    { target: binding.target.name },
  );
}
