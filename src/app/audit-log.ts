import { type Actor, authorize } from '../core/access/policy.js';
import type { AuditEntry } from '../core/domain/entities.js';
import { listAudit } from '../storage/queries/audit.js';
import type { AppContext } from './context.js';

export async function listAuditLog(
  ctx: AppContext,
  actor: Actor,
  filter: { entityType?: string; entityId?: string; before?: number; limit: number },
): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  authorize(actor, 'audit.read');
  const items = await listAudit(ctx.db, {
    ...(actor.customerId !== null && { customerId: actor.customerId }),
    ...(filter.entityType !== undefined && { entityType: filter.entityType }),
    ...(filter.entityId !== undefined && { entityId: filter.entityId }),
    ...(filter.before !== undefined && { beforeId: filter.before }),
    limit: filter.limit,
  });
  const last = items[items.length - 1];
  return { items, nextCursor: items.length === filter.limit && last ? String(last.id) : null };
}
