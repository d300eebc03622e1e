import { type Actor, authorize, IMPORT_WORKER } from '../../core/access/policy.js';
import { AppError, errors } from '../../core/errors.js';
import { type CommitOutcome, type CommitPort, commitRows } from '../../core/import/engine.js';
import { canTransition, transition } from '../../core/import/status.js';
import { runOptions } from '../../core/import/target.js';
import type { Db } from '../../storage/database.js';
import { recordChanges } from '../../storage/queries/import-changes.js';
import * as ownerQueries from '../../storage/queries/import-owners.js';
import * as rows from '../../storage/queries/import-rows.js';
import * as imports from '../../storage/queries/imports.js';
import { insertNotification } from '../../storage/queries/notifications.js';
import { writersWaiting } from '../../storage/transaction.js';
import type { AppContext } from '../context.js';
import { writeImportFinished } from '../invitations/invite.js';
import { audit, inTransaction } from '../shared.js';
import { assertTargetAllowed, visibleImport } from './access.js';
import { dateOrdersOf } from './date-orders.js';
import { type Lease, leaseLost, withLease } from './lease.js';
import { getImport } from './manage-import.js';
import { moveStatus } from './move-status.js';
import { chosenOwners, groupingOf, importCounts } from './owners.js';
import { envFor } from './registry.js';
import type { ImportView } from './view.js';

/** How long a commit's chunk should take on SQLite, where another write waits for it (engine.ts). */
const SQLITE_CHUNK_MS = 50;

/**
 * Queues the commit of a validated import; the work happens in the background. On an import grouped
 * by owner, `owners` chooses whose rows (each pending); without it every included pending owner's.
 * `firstRows`: only the first N valid rows not committed yet (in file order); the import then waits,
 * partly committed, to be rolled back or committed on (a commit without it writes the rest). N at
 * least the valid rows left commits them all, as without it.
 */
export async function requestCommit(
  ctx: AppContext,
  actor: Actor,
  id: number,
  chosen?: readonly number[],
  firstRows?: number,
  confirm: { confirmDeletes?: number | undefined } = {},
): Promise<ImportView> {
  const seen = await visibleImport(ctx, actor, id, 'imports.run');
  await assertTargetAllowed(ctx, actor, ctx.targets.get(seen.target));
  const grouping = groupingOf(ctx, seen);
  if (chosen !== undefined && !grouping) throw errors.conflict('import.not_grouped');
  if (firstRows !== undefined && grouping)
    throw errors.field(
      'request.invalid',
      'firstRows',
      'This import is committed owner by owner: choose the owners to import first instead of a number of rows.',
    );
  if (firstRows !== undefined && seen.options.atomic)
    throw errors.field(
      'request.invalid',
      'firstRows',
      'This import is all-or-nothing, so it cannot be committed in parts: turn off "atomic" to try the first rows first.',
    );
  if (firstRows !== undefined && (!Number.isInteger(firstRows) || firstRows < 1))
    throw errors.field('request.invalid', 'firstRows', 'Give the number of rows to commit first: 1 or more.');
  transition(seen.status, 'commit');
  const at = ctx.now().toISOString();
  await inTransaction(ctx, async (db) => {
    await moveStatus(db, id, 'commit', at);
    // The counts as the last edit left them: it ran before this move, or waits for this transaction.
    const rec = (await imports.findImport(db, id))!;
    // Rows that delete (an Action column) are for admins who may manage users, whoever staged them,
    // and only once the admin said how many: a script or a slip of the file never deletes unseen.
    const deletes = rec.planned.actions.delete ?? 0;
    if (deletes > 0) {
      authorize(actor, 'users.manage');
      if (confirm.confirmDeletes !== deletes) {
        throw errors.conflict(
          'import.confirm_deletes',
          `This import deletes ${deletes} user${deletes === 1 ? '' : 's'}. Commit it with confirmDeletes: ${deletes} to go ahead.`,
          { deletes, ...(confirm.confirmDeletes !== undefined && { confirmed: confirm.confirmDeletes }) },
        );
      }
    }
    if (!grouping && rec.options.atomic && rec.rows.invalid > 0) {
      throw errors.conflict(
        'import.has_invalid_rows',
        `${rec.rows.invalid} row(s) are invalid and this import is all-or-nothing. Fix them, or turn off "atomic" to import only the valid rows.`,
        { invalid: rec.rows.invalid },
      );
    }
    let total = rec.rows.valid;
    if (grouping) {
      const lines = await ownerQueries.ownerLines(db, id);
      if (lines.length === 0) throw errors.conflict('import.no_owner_matched');
      const queued =
        chosen === undefined
          ? lines.filter((l) => l.included && l.state === 'pending')
          : await chosenOwners(db, id, chosen, 'owners');
      if (queued.length === 0) {
        throw errors.conflict(
          'import.nothing_to_commit',
          'No included owner is pending: there is nothing to import. Include an owner first.',
        );
      }
      const excluded = queued.find((l) => !l.included);
      if (excluded) {
        throw errors.conflict(
          'import.owner_excluded',
          `${excluded.email} is excluded from this import: include them first (tick their Import box), then import their rows.`,
          { userId: excluded.userId },
        );
      }
      // All or nothing applies to the rows being committed: the owners chosen. Rows of other owners,
      // and rows whose owner matched nobody, are not part of this commit.
      const invalid = queued.reduce((n, l) => n + l.invalid, 0);
      if (rec.options.atomic && invalid > 0) {
        throw errors.conflict(
          'import.has_invalid_rows',
          `${invalid} row(s) of the ${queued.length === 1 ? 'owner' : `${queued.length} owners`} being imported are invalid and this import is all-or-nothing for the owners it commits. Fix them, or turn off "atomic" to import only the valid rows.`,
          { invalid },
        );
      }
      total = queued.reduce((n, l) => n + l.valid, 0);
      const job = (await ownerQueries.lastJob(db, id)) + 1;
      await ownerQueries.setOwners(
        db,
        id,
        queued.map((l) => ({ ownerId: l.userId, firstRow: l.firstRow })),
        { state: 'queued', job },
      );
    }
    if (rec.rows.valid === 0 || total === 0) {
      throw errors.conflict(
        'import.nothing_to_commit',
        'No row would be created or changed: there is nothing to import. Fix the rows, or choose another mode.',
      );
    }
    // The first N rows only: the commit stops after the last of them (none: every row).
    let stopRow =
      firstRows === undefined ? null : await rows.nthWritableRow(db, id, rec.committedThrough, firstRows);
    // Nothing to write after them (only rows the mode skips): the whole import, so those are reported too.
    if (stopRow !== null && !(await rows.writableRowsAfter(db, id, stopRow))) stopRow = null;
    // The commit walks the skipped rows too, to record why each was skipped (an owner's: its valid rows).
    const walked = grouping
      ? total
      : stopRow === null
        ? rec.rows.valid + (rec.planned.actions.skip ?? 0)
        : await rows.countCommitRows(db, id, stopRow);
    await imports.updateImport(
      db,
      id,
      { progress: { done: 0, total: walked }, ...(!grouping && { commitStopRow: stopRow }) },
      at,
    );
    await audit(ctx, db, actor, {
      action: 'import.commit',
      entityType: 'import',
      entityId: id,
      customerId: rec.customerId,
      ...(chosen !== undefined && { details: { owners: [...chosen] } }),
      ...(firstRows !== undefined && { details: { firstRows } }),
    });
  });
  await ctx.jobs.enqueue('import.commit', id);
  return getImport(ctx, actor, id);
}

/** Asks a queued or running commit to stop after the batch in hand. */
export async function cancelImport(ctx: AppContext, actor: Actor, id: number): Promise<ImportView> {
  const seen = await visibleImport(ctx, actor, id, 'imports.run');
  transition(seen.status, 'cancel');
  const at = ctx.now().toISOString();
  await inTransaction(ctx, async (db) => {
    const { to } = await moveStatus(db, id, 'cancel', at);
    await imports.updateImport(
      db,
      id,
      { cancelRequested: true, ...(to === 'cancelled' && { finishedAt: at }) },
      at,
    );
    await audit(ctx, db, actor, {
      action: 'import.cancel',
      entityType: 'import',
      entityId: id,
      customerId: seen.customerId,
    });
  });
  return getImport(ctx, actor, id);
}

/**
 * The commit job. Resumable: it starts after the last committed batch, so a restart after a
 * crash continues where it stopped and never writes a row twice.
 */
export async function runCommit(ctx: AppContext, id: number): Promise<void> {
  const first = await imports.findImport(ctx.db, id);
  if (!first || !canTransition(first.status, 'start')) return;
  await withLease(ctx, id, async (lease) => {
    // Moved under the claim: another worker may have finished it meanwhile, or it was cancelled.
    try {
      await inTransaction(ctx, async (db) => {
        const { from } = await moveStatus(db, id, 'start', ctx.now().toISOString());
        if (from === 'queued')
          await imports.updateImport(db, id, { startedAt: ctx.now().toISOString() }, ctx.now().toISOString());
      });
    } catch (e) {
      if (e instanceof AppError && e.status === 409) return;
      throw e;
    }
    const rec = (await imports.findImport(ctx.db, id))!;
    const binding = ctx.targets.get(rec.target);
    const baseEnv = await envFor(ctx, binding, ctx.db, rec.scopeCustomerId);
    const plan = {
      target: binding.target,
      env: baseEnv,
      fields: binding.target.fields(baseEnv),
      header: rec.header,
      mapping: rec.mapping,
      options: runOptions(rec.options),
      dates: dateOrdersOf(rec.options, rec.file.meta),
    };
    const grouped = groupingOf(ctx, rec) !== null;
    try {
      let outcome: CommitOutcome;
      if (grouped) outcome = await commitOwners(ctx, rec, plan, lease);
      else {
        const doneBefore = rec.committedThrough === 0 ? 0 : await committedRowCount(ctx.db, id);
        outcome = rec.options.atomic
          ? await inTransaction(ctx, (tx) =>
              commitRows(plan, port(ctx, rec, tx, lease), id, rec.committedThrough, doneBefore),
            )
          : await commitRows(plan, port(ctx, rec, null, lease), id, rec.committedThrough, doneBefore);
      }
      if (outcome === 'interrupted') return;
      await finish(ctx, id, outcome === 'cancelled' ? 'stopped' : 'finish', null);
    } catch (e) {
      if (e instanceof AppError && e.code === leaseLost().code) return;
      ctx.log.error({ err: e, importId: id }, 'import commit failed');
      const error =
        e instanceof AppError
          ? { code: e.code, message: e.message }
          : {
              code: 'import.commit_failed',
              message: 'The commit stopped on an unexpected error; what was written can be rolled back.',
            };
      await finish(ctx, id, 'fail', error);
    } finally {
      ctx.live.delete(id);
    }
  });
}

/**
 * The commit of an import grouped by owner: its queued owners one after the other, in file order,
 * each one's valid rows through the engine, then the owner marked imported with its counts in one
 * transaction. A restart takes up the owner it was importing with the rows not written yet (the
 * rows' results are saved with each batch), and never an owner marked imported: none twice.
 */
async function commitOwners(
  ctx: AppContext,
  rec: imports.ImportRecord,
  plan: Parameters<typeof commitRows<unknown>>[0],
  lease: Lease,
): Promise<CommitOutcome> {
  const id = rec.id;
  if (rec.options.atomic) {
    // All or nothing: every queued owner in one transaction, or none.
    return inTransaction(ctx, async (tx) => {
      for (;;) {
        const owner = await ownerQueries.nextQueuedOwner(tx, id);
        if (owner === null) return 'completed';
        const done = await committedRowCount(tx, id);
        const outcome = await commitRows(plan, port(ctx, rec, tx, lease, owner), id, 0, done);
        if (outcome !== 'completed') return outcome;
        await ownerDone(tx, id, owner);
      }
    });
  }
  for (;;) {
    const owner = await ownerQueries.nextQueuedOwner(ctx.db, id);
    if (owner === null) return 'completed';
    await inTransaction(ctx, (db) => ownerQueries.setOwnerState(db, id, owner, 'importing'));
    const done = await rowsOfJobDone(ctx.db, id);
    const outcome = await commitRows(plan, port(ctx, rec, null, lease, owner), id, 0, done);
    if (outcome !== 'completed') return outcome;
    await inTransaction(ctx, async (db) => {
      await lease.renew(db);
      await ownerDone(db, id, owner);
    });
  }
}

async function ownerDone(db: Db, id: number, owner: number): Promise<void> {
  const result = await ownerQueries.ownerResult(db, id, owner);
  await ownerQueries.setOwnerState(db, id, owner, 'imported', result);
}

/** Rows the latest commit job has written so far (its owners' rows with a result). */
async function rowsOfJobDone(db: Db, id: number): Promise<number> {
  return ownerQueries.jobRowsDone(db, id);
}

/** The engine's commit port for one import: each batch its own transaction, or all in `outer` (atomic). */
function port(
  ctx: AppContext,
  rec: imports.ImportRecord,
  outer: Db | null,
  lease: Lease,
  owner?: number,
): CommitPort<unknown> {
  const id = rec.id;
  const binding = ctx.targets.get(rec.target);
  const atomic = outer !== null;
  return {
    readValid: (after, limit) =>
      rows.readStagedCells(outer ?? ctx.db, id, after, limit, true, owner, rec.commitStopRow),
    async transaction(work) {
      const run = async (db: Db) => {
        const env = await envFor(ctx, binding, db, rec.scopeCustomerId);
        return work({
          env,
          readValid: (after, limit) =>
            rows.readStagedCells(db, id, after, limit, true, owner, rec.commitStopRow),
          async saveResults(results, committedThrough) {
            if (atomic) {
              const failed = results.find((r) => r.action === 'failed');
              if (failed) {
                throw errors.conflict(
                  'import.atomic_row_failed',
                  `Row ${failed.row} could not be imported (${failed.message}); nothing was imported, as the import is all-or-nothing.`,
                  { row: failed.row },
                );
              }
            }
            await lease.renew(db);
            // The restore point of what this batch wrote, with its results in its transaction.
            const written = results.flatMap((r) =>
              r.restore && r.entityId !== null ? [{ ...r.restore, entityId: r.entityId }] : [],
            );
            await recordChanges(db, id, binding.target.restorePoint.entityType, written, owner ?? null);
            await rows.setRowResults(db, id, results);
            await imports.updateImport(db, id, { committedThrough }, ctx.now().toISOString());
          },
        });
      };
      return outer ? run(outer) : inTransaction(ctx, run);
    },
    interrupted: () => ctx.shutdown.signal.aborted,
    // A batch renews the lease with each chunk it saves. On SQLite it also holds the write lock, and
    // other writers wait for it: a second at most.
    batchTimeMs: Math.min(1000, ctx.config.jobLeaseMs / 4),
    othersWaiting: () => writersWaiting(ctx.storage, ctx.config.sqlitePath),
    // On SQLite a write that comes during a chunk waits for it: chunks of about 50 ms keep that
    // wait short as the users indexes grow (a 2,000-row chunk took 280 ms at a million users).
    ...(ctx.storage.dialect === 'sqlite' && { chunkTimeMs: SQLITE_CHUNK_MS }),
    async cancelled() {
      const rec = await imports.findImport(outer ?? ctx.db, id);
      return rec?.cancelRequested === true;
    },
    async progress(done) {
      ctx.live.set(id, { done, at: Date.now() });
      // Inside an all-or-nothing transaction progress stays in memory; otherwise it is saved for any reader.
      if (!atomic)
        await imports.updateImport(
          ctx.db,
          id,
          { progress: { done, total: rec.progress.total } },
          ctx.now().toISOString(),
        );
    },
  };
}

async function committedRowCount(db: Db, id: number): Promise<number> {
  const counts = await rows.resultCounts(db, id);
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

async function finish(
  ctx: AppContext,
  id: number,
  requested: 'finish' | 'stopped' | 'fail',
  error: { code: string; message: string } | null,
): Promise<void> {
  const at = ctx.now().toISOString();
  await inTransaction(ctx, async (db) => {
    let event: 'finish' | 'finish_part' | 'stopped' | 'fail' = requested;
    const before = (await imports.findImport(db, id))!;
    if (groupingOf(ctx, before)) {
      if (requested === 'finish') {
        // Owners the admin has not decided on yet: the import waits for them, partly committed.
        const lines = await ownerQueries.ownerLines(db, id);
        if (lines.some((l) => l.included && l.state === 'pending')) event = 'finish_part';
      } else {
        // Stopped or failed: the owner in hand keeps what it wrote (failed), the queued ones were never begun.
        for (const owner of await ownerQueries.ownersIn(db, id, ['importing']))
          await ownerQueries.setOwnerState(
            db,
            id,
            owner,
            'failed',
            await ownerQueries.ownerResult(db, id, owner),
          );
        await ownerQueries.moveOwners(db, id, ['queued'], 'pending');
      }
    } else if (
      requested === 'finish' &&
      before.commitStopRow !== null &&
      (await rows.writableRowsAfter(db, id, before.commitStopRow))
    ) {
      // The first rows committed (`firstRows`), others left: the admin looks, then rolls back or goes on.
      event = 'finish_part';
    }
    const { to: status } = await moveStatus(db, id, event, at);
    const rec = (await imports.findImport(db, id))!;
    const results = await rows.resultCounts(db, id);
    const counts = await importCounts(db, id, rec.rows.invalid);
    // A grouped import's progress is its latest commit job's (earlier jobs wrote other owners).
    const done = groupingOf(ctx, rec)
      ? await ownerQueries.jobRowsDone(db, id)
      : Object.values(results).reduce((a, b) => a + b, 0);
    await imports.updateImport(
      db,
      id,
      {
        counts,
        ...(status !== 'partly_committed' && { finishedAt: at }),
        error,
        progress: { done, total: rec.progress.total },
      },
      at,
    );
    // A partly committed import is not finished: the admin goes on with its other owners.
    if (rec.createdByAdminId !== null && status !== 'partly_committed') {
      const ok = status === 'completed';
      // Rows refused at validation were never written: said apart from writes that failed.
      const writeFailed = results.failed ?? 0;
      const notImported =
        counts.failed === 0
          ? '0 not imported'
          : `${counts.failed} not imported (${rec.rows.invalid} invalid in the file, ${writeFailed} refused while writing)`;
      const lifecycle = (['deleted', 'disabled', 'enabled'] as const)
        .filter((k) => (counts[k] ?? 0) > 0)
        .map((k) => `${counts[k]} ${k}, `)
        .join('');
      const summary = `${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ${lifecycle}${counts.skipped} skipped, ${notImported}.`;
      await insertNotification(
        db,
        {
          adminId: rec.createdByAdminId,
          kind: ok ? 'import.completed' : status === 'cancelled' ? 'import.cancelled' : 'import.failed',
          title: ok
            ? `Import of ${rec.file.name} finished`
            : status === 'cancelled'
              ? `Import of ${rec.file.name} was cancelled`
              : `Import of ${rec.file.name} failed`,
          body: error ? `${error.message} ${summary}` : summary,
          importId: id,
        },
        at,
      );
      const done = { importId: id, fileName: rec.file.name, status, counts };
      await writeImportFinished(db, rec.createdByAdminId, done, at);
    }
    // The first rows committed: the last row this commit reached, so each row's change has its commit.
    const part = status === 'partly_committed' && !groupingOf(ctx, rec);
    await audit(ctx, db, IMPORT_WORKER, {
      action: `import.${status}`,
      entityType: 'import',
      entityId: id,
      customerId: rec.customerId,
      details: part ? { ...counts, throughRow: rec.committedThrough } : counts,
    });
  });
}
