import type { Actor } from '../core/access/policy.js';
import { errors } from '../core/errors.js';
import * as q from '../storage/queries/notifications.js';
import type { AppContext } from './context.js';

/** The bell: an admin's own notifications (API tokens see their admin's). */
export async function listNotifications(ctx: AppContext, actor: Actor, limit: number) {
  if (actor.adminId === null) throw errors.unauthenticated();
  const [items, unread] = await Promise.all([
    q.listNotifications(ctx.db, actor.adminId, limit),
    q.countUnread(ctx.db, actor.adminId),
  ]);
  return { items, unread };
}

export async function markNotificationsRead(ctx: AppContext, actor: Actor, ids: number[] | 'all') {
  if (actor.adminId === null) throw errors.unauthenticated();
  await q.markRead(ctx.db, actor.adminId, ids, ctx.now().toISOString());
  return listNotifications(ctx, actor, 50);
}
