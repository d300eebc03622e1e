import { type Actor, assertInScope, authorize, type Permission } from '../../core/access/policy.js';
import { errors } from '../../core/errors.js';
import { findImport, type ImportRecord } from '../../storage/queries/imports.js';
import type { AppContext } from '../context.js';

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
