import { type Actor, authorize } from '../../core/access/policy.js';
import { errors } from '../../core/errors.js';
import { fixRow, revalidateAll } from '../../core/import/engine.js';
import { checkMapping, describeMapping, type Mapping, mappingNeeds } from '../../core/import/mapping.js';
import { canTransition, transition } from '../../core/import/status.js';
import { type ImportOptions, type OptionsInput, runOptions } from '../../core/import/target.js';
import * as changes from '../../storage/queries/import-changes.js';
import { storeOwnerCounts } from '../../storage/queries/import-owners.js';
import * as rows from '../../storage/queries/import-rows.js';
import * as imports from '../../storage/queries/imports.js';
import type { AppContext } from '../context.js';
import { audit, inTransaction } from '../shared.js';
import { visibleImport } from './access.js';
import { importViewer } from './create-import.js';
import { dateOrdersOf, describeDateOrders } from './date-orders.js';
import { moveStatus } from './move-status.js';
import { resolveOptions } from './options.js';
import { envFor } from './registry.js';
import { stagingFor } from './staging.js';
import type { ImportView } from './view.js';

export async function getImport(ctx: AppContext, actor: Actor, id: number): Promise<ImportView> {
  const rec = await visibleImport(ctx, actor, id, 'imports.read');
  const view = await importViewer(ctx)(rec);
  if (canTransition(rec.status, 'rollback') && rec.startedAt !== null) {
    const since = await changes.changedSince(ctx.db, id, rec.startedAt);
    view.rollbackImpact = { changedSince: since.changed, activatedSince: since.activated };
  }
  return view;
}

/** Follows one import: each call reads it again (the target's fields are loaded once). */
export async function watchImport(
  ctx: AppContext,
  actor: Actor,
  id: number,
): Promise<() => Promise<ImportView>> {
  await visibleImport(ctx, actor, id, 'imports.read');
  const view = importViewer(ctx);
  return async () => view((await imports.findImport(ctx.db, id))!);
}

/** The history's filters, as the route received them. */
export interface ImportListQuery {
  before?: number;
  limit: number;
  status?: imports.ImportFilter['status'];
  target?: string;
  createdBy?: string;
  /** Days (YYYY-MM-DD, UTC), both included. */
  from?: string;
  to?: string;
  q?: string;
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();

export async function listImports(
  ctx: AppContext,
  actor: Actor,
  query: ImportListQuery,
): Promise<{ items: ImportView[]; nextCursor: string | null; startedBy: string[] }> {
  authorize(actor, 'imports.read');
  const scope = actor.customerId ?? undefined;
  const recs = await imports.listImports(ctx.db, {
    ...(scope !== undefined && { scopeCustomerId: scope }),
    ...(query.before !== undefined && { beforeId: query.before }),
    ...(query.status !== undefined && { status: query.status }),
    ...(query.target !== undefined && { target: query.target }),
    ...(query.createdBy !== undefined && { createdBy: query.createdBy }),
    ...(query.from !== undefined && { createdFrom: `${query.from}T00:00:00.000Z` }),
    ...(query.to !== undefined && { createdBefore: nextDay(query.to) }),
    ...(query.q !== undefined && { fileName: query.q }),
    limit: query.limit,
  });
  const view = importViewer(ctx);
  const items = await Promise.all(recs.map(view));
  const last = recs[recs.length - 1];
  const startedBy = await imports.importStarters(ctx.db, scope);
  return { items, nextCursor: recs.length === query.limit && last ? String(last.id) : null, startedBy };
}

export async function planFor(
  ctx: AppContext,
  rec: imports.ImportRecord,
  db = ctx.db,
  mapping: Mapping = rec.mapping,
) {
  const binding = ctx.targets.get(rec.target);
  const env = await envFor(ctx, binding, db, rec.scopeCustomerId);
  const fields = binding.target.fields(env);
  return {
    target: binding.target,
    env,
    fields,
    header: rec.header,
    mapping,
    options: runOptions(rec.options),
    dates: dateOrdersOf(rec.options, rec.file.meta),
  };
}

/** Checks every row of the import again under `options`, and keeps the date orders its columns now have. */
async function revalidateUnder(
  ctx: AppContext,
  db: AppContext['db'],
  rec: imports.ImportRecord,
  base: Awaited<ReturnType<typeof planFor>>,
  options: ImportOptions,
): Promise<void> {
  const plan = { ...base, options: runOptions(options), dates: dateOrdersOf(options, rec.file.meta) };
  await revalidateAll(plan, stagingFor(db, rec.id));
  await saveDateOrders(db, rec.id, rec, plan, ctx.now().toISOString());
}

/** After every row was checked again: the date orders its columns now have, in the import's view. */
export async function saveDateOrders(
  db: AppContext['db'],
  id: number,
  rec: imports.ImportRecord,
  plan: Parameters<typeof describeDateOrders>[0],
  at: string,
) {
  await imports.updateImport(
    db,
    id,
    { fileMeta: { ...rec.file.meta, dateOrders: describeDateOrders(plan) } },
    at,
  );
}

/** The staged rows' counts and planned actions, saved on the import (never its status). */
async function saveCounts(ctx: AppContext, db: typeof ctx.db, id: number) {
  const counts = await rows.stagedCounts(db, id);
  await storeOwnerCounts(db, id);
  await imports.updateImport(
    db,
    id,
    {
      rows: { total: counts.total, valid: counts.valid, invalid: counts.invalid },
      planned: { actions: counts.planned, errorCodes: counts.errorCodes },
    },
    ctx.now().toISOString(),
  );
}

/**
 * Runs an edit of an import not yet committed: the status moves first (locking the import against
 * a concurrent commit), then `work` gets the import as it is now, inside the same transaction.
 */
export async function editImport<T>(
  ctx: AppContext,
  actor: Actor,
  id: number,
  event: 'map' | 'set_options' | 'edit_rows',
  work: (db: typeof ctx.db, rec: imports.ImportRecord) => Promise<T>,
  mappingComplete?: (rec: imports.ImportRecord, db: typeof ctx.db) => Promise<boolean>,
): Promise<T> {
  const seen = await visibleImport(ctx, actor, id, 'imports.run');
  transition(seen.status, event); // the precise refusal before any work, when it is clear already
  return inTransaction(ctx, async (db) => {
    const complete = mappingComplete ? await mappingComplete(seen, db) : true;
    await moveStatus(db, id, event, ctx.now().toISOString(), complete);
    const rec = (await imports.findImport(db, id))!;
    const result = await work(db, rec);
    await saveCounts(ctx, db, id);
    return result;
  });
}

/** Replaces the column mapping and validates every row again; the admin's cell fixes stay. */
export async function setMapping(
  ctx: AppContext,
  actor: Actor,
  id: number,
  mapping: Mapping,
): Promise<ImportView> {
  // The plan is made once, in the transaction, for the check and then for the revalidation.
  let plan: Awaited<ReturnType<typeof planFor>> | undefined;
  const complete = async (rec: imports.ImportRecord, db: typeof ctx.db) => {
    plan = await planFor(ctx, rec, db, mapping);
    const problems = checkMapping(rec.header, plan.fields, mapping);
    if (problems.length > 0) throw errors.problems(problems);
    return describeMapping(rec.header, plan.fields, mapping, mappingNeeds(plan.target, rec.options)).complete;
  };
  await editImport(
    ctx,
    actor,
    id,
    'map',
    async (db, rec) => {
      await imports.updateImport(db, id, { mapping }, ctx.now().toISOString());
      // Options as they are now: a concurrent edit may have changed them since the check.
      await revalidateUnder(ctx, db, rec, plan!, rec.options);
      await audit(ctx, db, actor, {
        action: 'import.map',
        entityType: 'import',
        entityId: id,
        customerId: rec.customerId,
      });
    },
    complete,
  );
  return getImport(ctx, actor, id);
}

/**
 * Replaces the options of an import not yet committed and validates every row again under them
 * (the mode decides which rows conflict with existing users); the admin's cell fixes stay.
 */
export async function setOptions(
  ctx: AppContext,
  actor: Actor,
  id: number,
  input: OptionsInput,
): Promise<ImportView> {
  const seen = await visibleImport(ctx, actor, id, 'imports.run');
  // Checked before the transaction, as they read the directory (SQLite has one connection, which
  // the transaction holds); then laid over the options as they are when the edit takes its turn.
  const binding = ctx.targets.get(seen.target);
  const checked = await resolveOptions(ctx, actor, binding, input, seen.options);
  const changed = Object.fromEntries(
    Object.keys(input).map((k) => [k, checked[k as keyof ImportOptions]]),
  ) as Partial<ImportOptions>;
  const withChanges = (rec: imports.ImportRecord): ImportOptions => ({
    ...rec.options,
    ...changed,
    customerId: checked.customerId,
  });
  // Whether the mapping gives every field these options need a column (it may now need more, or
  // fewer). The plan is made once, in the transaction, for this and then for the revalidation.
  let plan: Awaited<ReturnType<typeof planFor>> | undefined;
  const complete = async (rec: imports.ImportRecord, db: typeof ctx.db) => {
    plan = await planFor(ctx, rec, db);
    return describeMapping(rec.header, plan.fields, rec.mapping, mappingNeeds(plan.target, withChanges(rec)))
      .complete;
  };
  await editImport(
    ctx,
    actor,
    id,
    'set_options',
    async (db, rec) => {
      const options = withChanges(rec);
      await imports.updateImport(
        db,
        id,
        { options, customerId: options.customerId },
        ctx.now().toISOString(),
      );
      await revalidateUnder(ctx, db, rec, plan!, options);
      await audit(ctx, db, actor, {
        action: 'import.options',
        entityType: 'import',
        entityId: id,
        customerId: options.customerId,
        details: { options },
      });
    },
    complete,
  );
  return getImport(ctx, actor, id);
}

export type RowsQuery = {
  filter: rows.RowFilter;
  afterRow?: number;
  offset?: number;
  limit: number;
  /** Only this owner's rows (imports grouped by owner). */
  owner?: number;
};

/**
 * A page of staged rows. `offset` in the answer is the position of its first row among the rows
 * that pass the filter, also when the page was asked for by row number (to show its page number).
 */
export async function listRows(ctx: AppContext, actor: Actor, id: number, query: RowsQuery) {
  await visibleImport(ctx, actor, id, 'imports.read');
  const [items, total, before] = await Promise.all([
    rows.pageStagedRows(
      ctx.db,
      id,
      query.filter,
      {
        ...(query.afterRow !== undefined && { afterRow: query.afterRow }),
        ...(query.offset !== undefined && { offset: query.offset }),
        limit: query.limit,
      },
      query.owner,
    ),
    rows.countStagedRows(ctx.db, id, query.filter, undefined, query.owner),
    query.afterRow === undefined
      ? Promise.resolve(0)
      : rows.countStagedRows(ctx.db, id, query.filter, query.afterRow, query.owner),
  ]);
  const last = items[items.length - 1];
  return {
    items,
    total,
    offset: (query.offset ?? 0) + before,
    nextCursor: items.length === query.limit && last ? String(last.row) : null,
  };
}

/**
 * Fixes cells of one staged row (by column index or header) and validates it again at once,
 * with the rows it was or now is a duplicate of. Returns every row whose verdict was renewed.
 */
export async function fixRowCells(
  ctx: AppContext,
  actor: Actor,
  id: number,
  rowNumber: number,
  cells: Record<string, string>,
) {
  const touched = await editImport(ctx, actor, id, 'edit_rows', async (db, rec) => {
    const current = await rows.findStagedRow(db, id, rowNumber);
    if (!current) throw errors.notFound('row', rowNumber);
    const next = [...current.cells];
    for (const [column, value] of Object.entries(cells)) {
      const index = /^\d+$/.test(column) ? Number(column) : rec.header.indexOf(column);
      if (index < 0 || index >= rec.header.length) {
        throw errors.field(
          'request.invalid',
          `cells.${column}`,
          `This file has no column "${column}". Columns: ${rec.header.join(', ')}.`,
          { problem: 'import.no_such_column' },
        );
      }
      next[index] = value;
    }
    const plan = await planFor(ctx, rec, db);
    const renewed = await fixRow(plan, stagingFor(db, id), rowNumber, next);
    await audit(ctx, db, actor, {
      action: 'import.fix_row',
      entityType: 'import',
      entityId: id,
      customerId: rec.customerId,
      details: { row: rowNumber, columns: Object.keys(cells) },
    });
    return renewed;
  });
  const renewed = await Promise.all(touched.map((r) => rows.findStagedRow(ctx.db, id, r)));
  return { rows: renewed.filter((r) => r !== undefined), import: await getImport(ctx, actor, id) };
}
