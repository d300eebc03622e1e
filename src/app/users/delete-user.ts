import { type Actor, authorize } from '../../core/access/policy.js';
import { deleteUsers } from '../../storage/queries/user-writes.js';
import type { AppContext } from '../context.js';
import { audit, inTransaction } from '../shared.js';
import { getUser } from './get-user.js';

export async function deleteUser(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  authorize(actor, 'users.manage');
  const user = await getUser(ctx, actor, id);
  await inTransaction(ctx, async (db) => {
    await deleteUsers(db, [id]);
    await audit(ctx, db, actor, {
      action: 'user.delete',
      entityType: 'user',
      entityId: id,
      customerId: user.customer.id,
      details: { email: user.email, username: user.username },
    });
  });
}
