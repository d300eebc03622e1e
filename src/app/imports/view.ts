import { describeMapping, type MappingReport } from '../../core/import/mapping.js';
import type { ImportStatus } from '../../core/import/status.js';
import type { ImportOptions, TargetField } from '../../core/import/target.js';
import type { ImportRecord } from '../../storage/queries/imports.js';
import type { OwnersProgress, OwnersSummary } from './owners.js';

/** An import as the API and CLI show it. */
export interface ImportView {
  id: number;
  target: string;
  status: ImportStatus;
  customerId: number | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  file: { name: string; size: number; sha256: string; format: string; meta: Record<string, unknown> };
  header: string[];
  mapping: MappingReport;
  options: ImportOptions;
  rows: { total: number; valid: number; invalid: number };
  planned: Record<string, number>;
  errorCodes: Record<string, number>;
  progress: {
    done: number;
    total: number;
    ratePerSecond: number | null;
    etaSeconds: number | null;
    /** On imports grouped by owner: the owners of the latest commit done, and the one in hand. */
    owners?: OwnersProgress;
  };
  counts: Record<string, number>;
  startedAt: string | null;
  finishedAt: string | null;
  error: { code: string; message: string } | null;
  rollback: Record<string, unknown> | null;
  duplicateOf: number | null;
  warnings: string[];
  /**
   * What a rollback would leave as it is, because it changed after the import (only on one import's
   * page, while it can be rolled back; null otherwise).
   */
  rollbackImpact: { changedSince: number; activatedSince: number } | null;
  /** On imports grouped by owner: how many owners are where, and the next one to preview. */
  owners: OwnersSummary | null;
}

export function toView(
  rec: ImportRecord,
  fields: readonly TargetField[],
  now: Date,
  needs: (field: TargetField) => boolean,
): ImportView {
  const elapsed = rec.startedAt ? (now.getTime() - Date.parse(rec.startedAt)) / 1000 : 0;
  const end = rec.finishedAt
    ? (Date.parse(rec.finishedAt) - Date.parse(rec.startedAt ?? rec.finishedAt)) / 1000
    : elapsed;
  const rate = rec.startedAt && rec.progress.done > 0 && end > 0 ? rec.progress.done / end : null;
  const remaining = rec.progress.total - rec.progress.done;
  const warnings: string[] = [];
  if (rec.duplicateOf !== null) {
    warnings.push(`This file is identical to import ${rec.duplicateOf}, which was committed already.`);
  }
  return {
    id: rec.id,
    target: rec.target,
    status: rec.status,
    customerId: rec.customerId,
    createdBy: rec.createdBy,
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
    file: rec.file,
    header: rec.header,
    mapping: describeMapping(rec.header, fields, rec.mapping, needs),
    options: rec.options,
    rows: rec.rows,
    planned: rec.planned.actions,
    errorCodes: rec.planned.errorCodes,
    progress: {
      ...rec.progress,
      ratePerSecond: rate === null ? null : Math.round(rate),
      etaSeconds: rate && rec.finishedAt === null && remaining > 0 ? Math.ceil(remaining / rate) : null,
    },
    counts: rec.counts,
    startedAt: rec.startedAt,
    finishedAt: rec.finishedAt,
    error: rec.error,
    rollback: rec.rollback,
    duplicateOf: rec.duplicateOf,
    warnings,
    rollbackImpact: null,
    owners: null,
  };
}
