import type { Selectable } from 'kysely';
import type { Actor } from '../../core/access/policy.js';
import type { AuditEntry } from '../../core/domain/entities.js';
import type { Db } from '../database.js';
import type { AuditLogTable } from '../schema.js';
import { jsonObject, readJson } from '../stored-json.js';

export interface AuditInput {
  action: string;
  entityType: string;
  entityId?: string | number | null;
  customerId?: number | null;
  details?: Record<string, unknown>;
}

export async function insertAudit(db: Db, actor: Actor, at: string, entry: AuditInput): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at,
      actor_kind: actor.kind,
      actor_id: actor.adminId,
      actor_label: actor.label,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId),
      customer_id: entry.customerId ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

export async function listAudit(
  db: Db,
  filter: { customerId?: number; entityType?: string; entityId?: string; beforeId?: number; limit: number },
): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit_log').selectAll();
  if (filter.customerId !== undefined) q = q.where('customer_id', '=', filter.customerId);
  if (filter.entityType !== undefined) q = q.where('entity_type', '=', filter.entityType);
  if (filter.entityId !== undefined) q = q.where('entity_id', '=', filter.entityId);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  const rows = await q.orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(toEntry);
}

/**
 * A user's history, newest first: the entries about the user, and those of the given imports that
 * say what the imports did to the directory (`actions`): started, finished, rolled back.
 */
export async function listUserHistory(
  db: Db,
  filter: {
    userId: number;
    importIds: readonly number[];
    importActions: readonly string[];
    beforeId?: number;
    limit: number;
  },
): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit_log').selectAll();
  q = q.where((eb) => {
    const aboutUser = eb.and([eb('entity_type', '=', 'user'), eb('entity_id', '=', String(filter.userId))]);
    if (filter.importIds.length === 0) return aboutUser;
    return eb.or([
      aboutUser,
      eb.and([
        eb('entity_type', '=', 'import'),
        eb('entity_id', 'in', filter.importIds.map(String)),
        eb('action', 'in', filter.importActions),
      ]),
    ]);
  });
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  const rows = await q.orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(toEntry);
}

function toEntry(r: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    actorLabel: r.actor_label,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    customerId: r.customer_id,
    details: readJson(r.details, jsonObject, `details of audit entry ${r.id}`),
  };
}
