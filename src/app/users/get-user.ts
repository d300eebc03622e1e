import { type Actor, assertInScope, authorize } from '../../core/access/policy.js';
import type { PortalUser } from '../../core/domain/entities.js';
import { errors } from '../../core/errors.js';
import { findUser } from '../../storage/queries/users.js';
import type { AppContext } from '../context.js';

export async function getUser(ctx: AppContext, actor: Actor, id: number): Promise<PortalUser> {
  authorize(actor, 'directory.read');
  const user = await findUser(ctx.db, id);
  const notFound = () => errors.notFound('user', id);
  if (!user) throw notFound();
  assertInScope(actor, user.customer.id, notFound);
  return user;
}
