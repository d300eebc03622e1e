import { type Selectable, sql } from 'kysely';
import type { Mapping } from '../../core/import/mapping.js';
import { COMMIT_STATUSES, type ImportStatus } from '../../core/import/status.js';
import type { ImportOptions } from '../../core/import/target.js';
import type { Db } from '../database.js';
import type { ImportsTable } from '../schema.js';
import {
  columnMapping,
  countsByName,
  importError,
  importOptions,
  jsonObject,
  plannedCounts,
  readJson,
  readStringList,
} from '../stored-json.js';

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
  /** A commit of the first N rows stops after this row (`firstRows`); null: every row. */
  commitStopRow: number | null;
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
    meta: readJson(r.file_meta, jsonObject, `file details of import ${r.id}`),
  },
  header: readStringList(r.header, `header of import ${r.id}`),
  mapping: readJson(r.mapping, columnMapping, `mapping of import ${r.id}`),
  options: readJson(r.options, importOptions, `options of import ${r.id}`),
  rows: { total: r.total_rows, valid: r.valid_rows, invalid: r.invalid_rows },
  planned: readJson(r.planned, plannedCounts, `planned counts of import ${r.id}`),
  progress: { done: r.progress_done, total: r.progress_total },
  committedThrough: r.committed_through,
  commitStopRow: r.commit_stop_row,
  counts: readJson(r.counts, countsByName, `counts of import ${r.id}`),
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  error: r.error ? readJson(r.error, importError, `error of import ${r.id}`) : null,
  rollback: r.rollback ? readJson(r.rollback, jsonObject, `rollback report of import ${r.id}`) : null,
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
      commit_stop_row: null,
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
  commitStopRow?: number | null;
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
      ...(p.commitStopRow !== undefined && { commit_stop_row: p.commitStopRow }),
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

/** What the import history can be narrowed to; every filter is optional and they combine. */
export interface ImportFilter {
  scopeCustomerId?: number;
  beforeId?: number;
  limit: number;
  status?: readonly ImportStatus[];
  target?: string;
  /** The label of the admin (or token) that started it, as the list shows it. */
  createdBy?: string;
  /** `created_at` at or after this instant, and before that one (ISO). */
  createdFrom?: string;
  createdBefore?: string;
  /** Part of the file's name, any case. */
  fileName?: string;
}

/** `%` and `_` in a searched text match themselves. */
const likeText = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function filtered(db: Db, filter: Omit<ImportFilter, 'limit' | 'beforeId'>) {
  let q = db.selectFrom('imports').where('status', '!=', 'staging');
  if (filter.scopeCustomerId !== undefined) q = q.where('scope_customer_id', '=', filter.scopeCustomerId);
  if (filter.status && filter.status.length > 0) q = q.where('status', 'in', filter.status);
  if (filter.target !== undefined) q = q.where('target', '=', filter.target);
  if (filter.createdBy !== undefined) q = q.where('created_by_label', '=', filter.createdBy);
  if (filter.createdFrom !== undefined) q = q.where('created_at', '>=', filter.createdFrom);
  if (filter.createdBefore !== undefined) q = q.where('created_at', '<', filter.createdBefore);
  if (filter.fileName !== undefined) {
    const pattern = likeText(filter.fileName);
    q = q.where(sql<boolean>`lower(file_name) like ${pattern} escape '\\'`);
  }
  return q;
}

export async function listImports(db: Db, filter: ImportFilter): Promise<ImportRecord[]> {
  let q = filtered(db, filter).selectAll();
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  return (await q.orderBy('id', 'desc').limit(filter.limit).execute()).map(toRecord);
}

/** Who started the imports within a scope (for the history's "started by" filter), by name. */
export async function importStarters(db: Db, scopeCustomerId: number | undefined): Promise<string[]> {
  const rows = await filtered(db, scopeCustomerId === undefined ? {} : { scopeCustomerId })
    .select('created_by_label')
    .distinct()
    .orderBy('created_by_label')
    .limit(200)
    .execute();
  return rows.map((r) => r.created_by_label);
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
