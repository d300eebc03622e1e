import type { Selectable } from 'kysely';
import type { Mapping } from '../../core/import/mapping.js';
import { COMMIT_STATUSES, type ImportStatus } from '../../core/import/status.js';
import type { ImportOptions } from '../../core/import/target.js';
import type { Db } from '../database.js';
import type { ImportsTable } from '../schema.js';

/** What validation found: rows by planned action, and error rows by problem code. */
export interface PlannedCounts {
  actions: Record<string, number>;
  errorCodes: Record<string, number>;
}

export interface ImportRecord {
  id: number;
  target: string;
  status: ImportStatus;
  customerId: number | null;
  scopeCustomerId: number | null;
  createdByAdminId: number | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  file: { name: string; size: number; sha256: string; format: string; meta: Record<string, unknown> };
  header: string[];
  mapping: Mapping;
  options: ImportOptions;
  rows: { total: number; valid: number; invalid: number };
  planned: PlannedCounts;
  progress: { done: number; total: number };
  committedThrough: number;
  counts: Record<string, number>;
  startedAt: string | null;
  finishedAt: string | null;
  error: { code: string; message: string } | null;
  rollback: Record<string, unknown> | null;
  duplicateOf: number | null;
  cancelRequested: boolean;
}

const toRecord = (r: Selectable<ImportsTable>): ImportRecord => ({
  id: r.id,
  target: r.target,
  status: r.status as ImportStatus,
  customerId: r.customer_id,
  scopeCustomerId: r.scope_customer_id,
  createdByAdminId: r.created_by_admin_id,
  createdBy: r.created_by_label,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  file: {
    name: r.file_name,
    size: Number(r.file_size),
    sha256: r.file_sha256,
    format: r.file_format,
    meta: JSON.parse(r.file_meta) as Record<string, unknown>,
  },
  header: JSON.parse(r.header) as string[],
  mapping: JSON.parse(r.mapping) as Mapping,
  // Imports stored before the date order option read as `auto`, its default.
  options: { dateOrder: 'auto', ...(JSON.parse(r.options) as Omit<ImportOptions, 'dateOrder'>) },
  rows: { total: r.total_rows, valid: r.valid_rows, invalid: r.invalid_rows },
  planned: { actions: {}, errorCodes: {}, ...(JSON.parse(r.planned) as Partial<PlannedCounts>) },
  progress: { done: r.progress_done, total: r.progress_total },
  committedThrough: r.committed_through,
  counts: JSON.parse(r.counts) as Record<string, number>,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  error: r.error ? (JSON.parse(r.error) as { code: string; message: string }) : null,
  rollback: r.rollback ? (JSON.parse(r.rollback) as Record<string, unknown>) : null,
  duplicateOf: r.duplicate_of,
  cancelRequested: r.cancel_requested === 1,
});

export interface NewImport {
  target: string;
  status: ImportStatus;
  customerId: number | null;
  scopeCustomerId: number | null;
  createdByAdminId: number | null;
  createdBy: string;
  fileName: string;
  fileSize: number;
  fileSha256: string;
  fileFormat: string;
  options: ImportOptions;
  duplicateOf: number | null;
}

export async function insertImport(db: Db, v: NewImport, at: string): Promise<number> {
  const r = await db
    .insertInto('imports')
    .values({
      target: v.target,
      status: v.status,
      customer_id: v.customerId,
      scope_customer_id: v.scopeCustomerId,
      created_by_admin_id: v.createdByAdminId,
      created_by_label: v.createdBy,
      created_at: at,
      updated_at: at,
      file_name: v.fileName,
      file_size: v.fileSize,
      file_sha256: v.fileSha256,
      file_format: v.fileFormat,
      options: JSON.stringify(v.options),
      duplicate_of: v.duplicateOf,
      file_meta: '{}',
      header: '[]',
      mapping: JSON.stringify({ columns: [] }),
      total_rows: 0,
      valid_rows: 0,
      invalid_rows: 0,
      planned: '{}',
      progress_done: 0,
      progress_total: 0,
      committed_through: 0,
      counts: '{}',
      cancel_requested: 0,
      lease_owner: null,
      lease_until: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export interface ImportPatch {
  customerId?: number | null;
  fileFormat?: string;
  fileMeta?: Record<string, unknown>;
  header?: string[];
  mapping?: Mapping;
  options?: ImportOptions;
  rows?: { total: number; valid: number; invalid: number };
  planned?: PlannedCounts;
  progress?: { done: number; total: number };
  committedThrough?: number;
  counts?: Record<string, number>;
  startedAt?: string | null;
  finishedAt?: string | null;
  error?: { code: string; message: string } | null;
  rollback?: Record<string, unknown> | null;
  cancelRequested?: boolean;
}

/** Every field but the status, which only `app/imports/move-status.ts` changes. */
export async function updateImport(db: Db, id: number, p: ImportPatch, at: string): Promise<void> {
  await db
    .updateTable('imports')
    .set({
      updated_at: at,
      ...(p.customerId !== undefined && { customer_id: p.customerId }),
      ...(p.fileFormat !== undefined && { file_format: p.fileFormat }),
      ...(p.fileMeta !== undefined && { file_meta: JSON.stringify(p.fileMeta) }),
      ...(p.header !== undefined && { header: JSON.stringify(p.header) }),
      ...(p.mapping !== undefined && { mapping: JSON.stringify(p.mapping) }),
      ...(p.options !== undefined && { options: JSON.stringify(p.options) }),
      ...(p.rows !== undefined && {
        total_rows: p.rows.total,
        valid_rows: p.rows.valid,
        invalid_rows: p.rows.invalid,
      }),
      ...(p.planned !== undefined && { planned: JSON.stringify(p.planned) }),
      ...(p.progress !== undefined && { progress_done: p.progress.done, progress_total: p.progress.total }),
      ...(p.committedThrough !== undefined && { committed_through: p.committedThrough }),
      ...(p.counts !== undefined && { counts: JSON.stringify(p.counts) }),
      ...(p.startedAt !== undefined && { started_at: p.startedAt }),
      ...(p.finishedAt !== undefined && { finished_at: p.finishedAt }),
      ...(p.error !== undefined && { error: p.error === null ? null : JSON.stringify(p.error) }),
      ...(p.rollback !== undefined && { rollback: p.rollback === null ? null : JSON.stringify(p.rollback) }),
      ...(p.cancelRequested !== undefined && { cancel_requested: p.cancelRequested ? 1 : 0 }),
    })
    .where('id', '=', id)
    .execute();
}

/** Removes an import with its staged rows, results and restore point (cascade). */
export async function deleteImport(db: Db, id: number): Promise<void> {
  await db.deleteFrom('imports').where('id', '=', id).execute();
}

/** Imports left `staging` by a process that stopped while reading their file. */
export async function abandonedStaging(db: Db, notUpdatedSince: string): Promise<number[]> {
  const rows = await db
    .selectFrom('imports')
    .select('id')
    .where('status', '=', 'staging')
    .where('updated_at', '<', notUpdatedSince)
    .execute();
  return rows.map((r) => r.id);
}

export async function readStatus(db: Db, id: number): Promise<ImportStatus | undefined> {
  const r = await db.selectFrom('imports').select('status').where('id', '=', id).executeTakeFirst();
  return r?.status as ImportStatus | undefined;
}

/** Moves the status only if it is still `from`: of two concurrent moves, one finds it changed. */
export async function compareAndSetStatus(
  db: Db,
  id: number,
  from: ImportStatus,
  to: ImportStatus,
  at: string,
): Promise<boolean> {
  const r = await db
    .updateTable('imports')
    .set({ status: to, updated_at: at })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function findImport(db: Db, id: number): Promise<ImportRecord | undefined> {
  const r = await db.selectFrom('imports').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toRecord(r);
}

export async function listImports(
  db: Db,
  filter: { scopeCustomerId?: number; beforeId?: number; limit: number; status?: ImportStatus[] },
): Promise<ImportRecord[]> {
  let q = db.selectFrom('imports').selectAll().where('status', '!=', 'staging');
  if (filter.scopeCustomerId !== undefined) q = q.where('scope_customer_id', '=', filter.scopeCustomerId);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  if (filter.status && filter.status.length > 0) q = q.where('status', 'in', filter.status);
  return (await q.orderBy('id', 'desc').limit(filter.limit).execute()).map(toRecord);
}

export async function findCommittedBySha(
  db: Db,
  sha256: string,
  target: string,
): Promise<number | undefined> {
  const r = await db
    .selectFrom('imports')
    .select('id')
    .where('file_sha256', '=', sha256)
    .where('target', '=', target)
    .where('status', 'in', [...COMMIT_STATUSES, 'completed', 'partly_committed'])
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return r?.id;
}

export async function importsInStatus(db: Db, statuses: readonly ImportStatus[]): Promise<number[]> {
  const rows = await db
    .selectFrom('imports')
    .select('id')
    .where('status', 'in', statuses)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Claims an import's job for one worker until `until` (epoch ms): succeeds when nobody holds it,
 * its holder's claim ran out (a crashed worker), or `owner` holds it already.
 */
export async function claimLease(
  db: Db,
  id: number,
  owner: string,
  now: number,
  until: number,
): Promise<boolean> {
  const r = await db
    .updateTable('imports')
    .set({ lease_owner: owner, lease_until: until })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)]),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Extends a claim; false when it was lost (another worker took over after it ran out). */
export async function renewLease(db: Db, id: number, owner: string, until: number): Promise<boolean> {
  const r = await db
    .updateTable('imports')
    .set({ lease_until: until })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function releaseLease(db: Db, id: number, owner: string): Promise<void> {
  await db
    .updateTable('imports')
    .set({ lease_owner: null, lease_until: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .execute();
}

export async function leaseOf(db: Db, id: number): Promise<{ owner: string | null; until: number | null }> {
  const r = await db
    .selectFrom('imports')
    .select(['lease_owner', 'lease_until'])
    .where('id', '=', id)
    .executeTakeFirst();
  return {
    owner: r?.lease_owner ?? null,
    until: r?.lease_until === null || r?.lease_until === undefined ? null : Number(r.lease_until),
  };
}
