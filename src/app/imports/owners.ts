import type { Actor } from '../../core/access/policy.js';
import { errors } from '../../core/errors.js';
import { transition } from '../../core/import/status.js';
import { type GroupedBy, runOptions } from '../../core/import/target.js';
import type { Db } from '../../storage/database.js';
import * as owners from '../../storage/queries/import-owners.js';
import { resultCounts } from '../../storage/queries/import-rows.js';
import * as imports from '../../storage/queries/imports.js';
import type { AppContext } from '../context.js';
import { readSettings } from '../settings.js';
import { audit, inTransaction } from '../shared.js';
import { visibleImport } from './access.js';
import { getImport } from './manage-import.js';
import { moveStatus } from './move-status.js';
import type { ImportView } from './view.js';

/**
 * Imports whose target groups its rows by owner (`groupedBy`): the owners found, what the admin
 * decides per owner (include, exclude, skip), and when such an import is done. What an owner is
 * comes from the declaration only (`noun: 'user'`: owners are portal users, shown by name).
 */

// biome-ignore lint/suspicious/noExplicitAny: the declaration is read without its target's Env
type AnyGroupedBy = GroupedBy<any, any>;

/** The target's grouping of an import, or null when its rows are not grouped. */
export function groupingOf(ctx: AppContext, rec: imports.ImportRecord): AnyGroupedBy | null {
  return ctx.targets.get(rec.target).target.groupedBy ?? null;
}

function grouped(ctx: AppContext, rec: imports.ImportRecord): AnyGroupedBy {
  const g = groupingOf(ctx, rec);
  if (!g) throw errors.conflict('import.not_grouped');
  return g;
}

export interface OwnersBody {
  owners: (Omit<owners.OwnerLine, 'firstRow' | 'job'> & { firstRow: number })[];
  unmatched: { value: string; rows: number; firstRow: number; hint: string }[];
  unmatchedRows: number;
  limits: { maxOwners: number; maxRows: number };
}

/** GET /imports/{id}/owners: every owner in file order, with counts; the values that matched nobody. */
export async function listOwners(ctx: AppContext, actor: Actor, id: number): Promise<OwnersBody> {
  const rec = await visibleImport(ctx, actor, id, 'imports.read');
  const g = grouped(ctx, rec);
  return ownersBody(ctx, ctx.db, rec, g);
}

async function ownersBody(
  ctx: AppContext,
  db: Db,
  rec: imports.ImportRecord,
  g: AnyGroupedBy,
): Promise<OwnersBody> {
  const [lines, unmatched, settings] = await Promise.all([
    owners.ownerLines(db, rec.id),
    owners.unmatchedOwners(db, rec.id),
    readSettings(ctx),
  ]);
  const options = runOptions(rec.options);
  return {
    owners: lines.map(({ job: _job, ...line }) => line),
    unmatched: unmatched.map(({ codes, ...u }) => ({ ...u, hint: g.hint(u.value, options, codes) })),
    unmatchedRows: unmatched.reduce((n, u) => n + u.rows, 0),
    limits: { maxOwners: settings.importMaxOwners, maxRows: settings.importMaxRows },
  };
}

/**
 * PUT /imports/{id}/owners: the owners whose Import box is off. Only pending owners change; asking
 * to change another is refused (409) and changes nothing. An import partly committed whose last
 * pending included owner is excluded is done.
 */
export async function setExcluded(
  ctx: AppContext,
  actor: Actor,
  id: number,
  excluded: readonly number[],
): Promise<OwnersBody> {
  const seen = await visibleImport(ctx, actor, id, 'imports.run');
  const g = grouped(ctx, seen);
  transition(seen.status, 'select');
  const off = new Set(excluded);
  await inTransaction(ctx, async (db) => {
    const at = ctx.now().toISOString();
    await moveStatus(db, id, 'select', at);
    const lines = await owners.ownerLines(db, id);
    const known = new Set(lines.map((l) => l.userId));
    const unknown = excluded.findIndex((u) => !known.has(u));
    if (unknown >= 0) {
      throw errors.field(
        'request.invalid',
        `excluded.${unknown}`,
        `No row of this import belongs to user ${excluded[unknown]}.`,
        { problem: 'import.no_such_owner' },
      );
    }
    const changed = lines.filter((l) => l.included === off.has(l.userId));
    const settled = changed.find((l) => l.state !== 'pending');
    if (settled) {
      throw errors.conflict(
        'import.owner_not_pending',
        `${settled.email} is ${settled.state.replace('_', ' ')} already: only pending owners can be included or excluded.`,
        { userId: settled.userId, state: settled.state },
      );
    }
    for (const include of [true, false]) {
      const these = changed.filter((l) => !off.has(l.userId) === include);
      await owners.setOwners(
        db,
        id,
        these.map((l) => ({ ownerId: l.userId, firstRow: l.firstRow })),
        { included: include },
      );
    }
    await completeIfDone(db, id, at);
    await audit(ctx, db, actor, {
      action: 'import.owners',
      entityType: 'import',
      entityId: id,
      customerId: seen.customerId,
      details: { excluded: [...off] },
    });
  });
  return ownersBody(ctx, ctx.db, (await imports.findImport(ctx.db, id))!, g);
}

/** POST /imports/{id}/owners/skip: marks pending owners skipped; the import is done when none is left. */
export async function skipOwners(
  ctx: AppContext,
  actor: Actor,
  id: number,
  skipped: readonly number[],
): Promise<ImportView> {
  const seen = await visibleImport(ctx, actor, id, 'imports.run');
  grouped(ctx, seen);
  transition(seen.status, 'skip');
  await inTransaction(ctx, async (db) => {
    const at = ctx.now().toISOString();
    await moveStatus(db, id, 'skip', at);
    const chosen = await chosenOwners(db, id, skipped, 'owners');
    await owners.setOwners(
      db,
      id,
      chosen.map((l) => ({ ownerId: l.userId, firstRow: l.firstRow })),
      { state: 'skipped' },
    );
    await completeIfDone(db, id, at);
    await audit(ctx, db, actor, {
      action: 'import.skip_owners',
      entityType: 'import',
      entityId: id,
      customerId: seen.customerId,
      details: { owners: chosen.map((l) => l.userId) },
    });
  });
  return getImport(ctx, actor, id);
}

/**
 * The owners a request names, each one of the import's and pending; a field error for an unknown
 * one, a 409 for one that is not pending (imported, skipped, queued…).
 */
export async function chosenOwners(
  db: Db,
  id: number,
  chosen: readonly number[],
  field: string,
): Promise<owners.OwnerLine[]> {
  const lines = await owners.ownerLines(db, id);
  const byId = new Map(lines.map((l) => [l.userId, l]));
  const out: owners.OwnerLine[] = [];
  for (const [i, userId] of chosen.entries()) {
    const line = byId.get(userId);
    if (!line) {
      throw errors.field(
        'request.invalid',
        `${field}.${i}`,
        `No row of this import belongs to user ${userId}.`,
        { problem: 'import.no_such_owner' },
      );
    }
    if (line.state !== 'pending') {
      throw errors.conflict(
        'import.owner_not_pending',
        `${line.email} is ${line.state.replace('_', ' ')} already: only pending owners can be committed or skipped.`,
        { userId, state: line.state },
      );
    }
    if (!out.includes(line)) out.push(line);
  }
  return out;
}

/**
 * In a partly committed import: when no included owner is pending any more, the import is done
 * (`completed`, with the counts of every row). Call inside the transaction that changed the owners.
 */
export async function completeIfDone(db: Db, id: number, at: string): Promise<boolean> {
  const status = await imports.readStatus(db, id);
  if (status !== 'partly_committed') return false;
  const lines = await owners.ownerLines(db, id);
  if (lines.some((l) => l.included && l.state === 'pending')) return false;
  await moveStatus(db, id, 'owners_done', at);
  const rec = (await imports.findImport(db, id))!;
  await imports.updateImport(
    db,
    id,
    { counts: await importCounts(db, id, rec.rows.invalid), finishedAt: at },
    at,
  );
  return true;
}

/** An import's counts from its rows' results: rows refused at validation count as failed. */
export async function importCounts(db: Db, id: number, invalid: number): Promise<Record<string, number>> {
  const results = await resultCounts(db, id);
  return {
    created: results.created ?? 0,
    updated: results.updated ?? 0,
    unchanged: results.unchanged ?? 0,
    skipped: results.skipped ?? 0,
    failed: (results.failed ?? 0) + invalid,
    // Rows whose action was delete, disable or enable (the users target's Action column): only
    // when some were, so that imports without them keep the five counts.
    ...Object.fromEntries(
      LIFECYCLE_RESULTS.flatMap((k) => ((results[k] ?? 0) > 0 ? [[k, results[k]!]] : [])),
    ),
  };
}

const LIFECYCLE_RESULTS = ['deleted', 'disabled', 'enabled'] as const;

export interface OwnersSummary {
  total: number;
  included: number;
  pending: number;
  imported: number;
  skipped: number;
  failed: number;
  rolledBack: number;
  unmatchedRows: number;
  current: number | null;
}

/** The owners part of an import's view (null when its rows are not grouped). */
export async function ownersSummary(
  ctx: AppContext,
  rec: imports.ImportRecord,
): Promise<{ summary: OwnersSummary; progress: OwnersProgress } | null> {
  if (!groupingOf(ctx, rec) || rec.status === 'staging') return null;
  // The counts kept per owner: a poll during a commit never counts the staged rows.
  const lines = await owners.ownerLines(ctx.db, rec.id);
  const count = (state: owners.OwnerState) => lines.filter((l) => l.state === state).length;
  const next = lines.find((l) => l.included && l.state === 'pending');
  const job = lines.reduce((m, l) => Math.max(m, l.job), 0);
  const ofJob = lines.filter((l) => job > 0 && l.job === job);
  const importing = ofJob.find((l) => l.state === 'importing') ?? ofJob.find((l) => l.state === 'queued');
  return {
    summary: {
      total: lines.length,
      included: lines.filter((l) => l.included).length,
      pending: count('pending'),
      imported: count('imported'),
      skipped: count('skipped'),
      failed: count('failed'),
      rolledBack: count('rolled_back'),
      unmatchedRows: rec.rows.total - lines.reduce((n, l) => n + l.rows, 0),
      current: next?.userId ?? null,
    },
    progress: {
      done: ofJob.filter((l) => l.state !== 'queued' && l.state !== 'importing').length,
      total: ofJob.length,
      current: importing ? { userId: importing.userId, name: importing.name || importing.email } : null,
    },
  };
}

export interface OwnersProgress {
  done: number;
  total: number;
  current: { userId: number; name: string } | null;
}
