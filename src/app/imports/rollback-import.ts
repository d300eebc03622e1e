import { type Actor, IMPORT_WORKER } from '../../core/access/policy.js';
import { appError, errors } from '../../core/errors.js';
import { transition } from '../../core/import/status.js';
import * as changes from '../../storage/queries/import-changes.js';
import * as owners from '../../storage/queries/import-owners.js';
import * as imports from '../../storage/queries/imports.js';
import { insertNotification } from '../../storage/queries/notifications.js';
import type { AppContext } from '../context.js';
import { audit, inTransaction } from '../shared.js';
import { visibleImport } from './access.js';
import { type Lease, withLease } from './lease.js';
import { getImport } from './manage-import.js';
import { moveStatus } from './move-status.js';
import { groupingOf } from './owners.js';
import { envFor } from './registry.js';
import type { ImportView } from './view.js';

/**
 * Queues the rollback of a committed (or stopped) import. On an import grouped by owner, `chosen`
 * limits it to those owners' records (each one whose rows were imported); the others stay.
 */
export async function requestRollback(
  ctx: AppContext,
  actor: Actor,
  id: number,
  chosen?: readonly number[],
): Promise<ImportView> {
  const rec = await visibleImport(ctx, actor, id, 'imports.run');
  if (chosen !== undefined && !groupingOf(ctx, rec)) throw errors.conflict('import.not_grouped');
  // Owner by owner, a partly committed import is rolled back once its owners are all decided.
  if (groupingOf(ctx, rec) && rec.status === 'partly_committed')
    throw appError(
      'import.illegal_transition',
      'Some owners of this import are still pending: import or skip them before rolling back.',
      { status: rec.status, action: 'rollback' },
    );
  transition(rec.status, 'rollback');
  const at = ctx.now().toISOString();
  await inTransaction(ctx, async (db) => {
    await moveStatus(db, id, 'rollback', at);
    if (chosen !== undefined) {
      const lines = new Map((await owners.ownerLines(db, id)).map((l) => [l.userId, l]));
      for (const [i, userId] of chosen.entries()) {
        const line = lines.get(userId);
        if (!line) {
          throw errors.field(
            'request.invalid',
            `owners.${i}`,
            `No row of this import belongs to user ${userId}.`,
            {
              problem: 'import.no_such_owner',
            },
          );
        }
        if (line.state !== 'imported' && line.state !== 'failed') {
          throw errors.conflict(
            'import.owner_not_committed',
            `${line.email} is ${line.state.replace('_', ' ')}: only owners whose rows were imported can be rolled back.`,
            { userId, state: line.state },
          );
        }
      }
    }
    // Which owners the job undoes, kept until its report replaces it.
    await imports.updateImport(db, id, { rollback: { owners: chosen ? [...new Set(chosen)] : null } }, at);
    await audit(ctx, db, actor, {
      action: 'import.rollback',
      entityType: 'import',
      entityId: id,
      customerId: rec.customerId,
      ...(chosen !== undefined && { details: { owners: [...chosen] } }),
    });
  });
  await ctx.jobs.enqueue('import.rollback', id);
  return getImport(ctx, actor, id);
}

export interface RollbackReport {
  deleted: number;
  restored: number;
  /**
   * What was left alone because it changed since the import (the first 1,000; `conflictCount` has
   * all): the entity, a label people recognise (a user's email), and why.
   */
  conflicts: { entityType: string; entityId: number; label: string | null; reason: string }[];
  conflictCount: number;
  finishedAt: string;
  /** The owners rolled back, on an import grouped by owner; null: everything the import did. */
  owners?: number[] | null;
}

const BATCH = 500;

/**
 * The rollback job: hands the import's recorded changes, a batch at a time, to the undo of the
 * target that wrote them (it deletes what the import created and restores what it changed, but
 * leaves alone and reports whatever changed since), and marks them dealt with. Each batch is one
 * transaction; a restart continues with the changes not dealt with yet.
 */
export async function runRollback(ctx: AppContext, id: number): Promise<void> {
  const first = await imports.findImport(ctx.db, id);
  if (first?.status !== 'rolling_back') return;
  await withLease(ctx, id, async (lease) => {
    const rec = await imports.findImport(ctx.db, id);
    if (rec?.status !== 'rolling_back') return;
    await rollBack(ctx, rec, lease);
  });
}

async function rollBack(ctx: AppContext, rec: imports.ImportRecord, lease: Lease): Promise<void> {
  const id = rec.id;
  const binding = ctx.targets.get(rec.target);
  const restorePoint = binding.target.restorePoint;
  const chosen = Array.isArray(rec.rollback?.owners) ? (rec.rollback.owners as number[]) : null;
  const report: RollbackReport = { deleted: 0, restored: 0, conflicts: [], conflictCount: 0, finishedAt: '' };
  if (groupingOf(ctx, rec)) report.owners = chosen;
  for (;;) {
    // Shutting down: stop between batches; the job resumes on the next start.
    if (ctx.shutdown.signal.aborted) return;
    const done = await inTransaction(ctx, async (db) => {
      await lease.renew(db);
      const batch = await changes.pendingChanges(db, id, BATCH, chosen ?? undefined);
      if (batch.length === 0) return true;
      const foreign = batch.find((c) => c.entityType !== restorePoint.entityType);
      if (foreign) {
        throw new Error(
          `Import ${id} recorded a change of a ${foreign.entityType}, which its target ${rec.target} does not undo.`,
        );
      }
      const env = await envFor(ctx, binding, db, rec.scopeCustomerId);
      const outcomes = await restorePoint.undo(
        batch.map((c) => ({
          entityId: c.entityId,
          change: c.change,
          before: c.before === null ? null : JSON.parse(c.before),
          versionAfter: c.versionAfter,
        })),
        env,
      );
      for (const o of outcomes) {
        if (o.outcome === 'conflict') {
          report.conflictCount++;
          if (report.conflicts.length < 1000) {
            const { entityId, label, reason } = o;
            report.conflicts.push({ entityType: restorePoint.entityType, entityId, label, reason });
          }
        } else if (o.outcome === 'deleted') report.deleted++;
        else report.restored++;
      }
      await changes.markReverted(
        db,
        id,
        restorePoint.entityType,
        batch.map((c) => c.entityId),
      );
      return false;
    });
    if (done) break;
    // Let requests in between batches (see engine.ts: a synchronous driver never yields by itself).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  report.finishedAt = ctx.now().toISOString();
  await inTransaction(ctx, async (db) => {
    // Some owners rolled back: the import stays committed for the others.
    await moveStatus(db, id, chosen ? 'rolled_back_part' : 'rolled_back', report.finishedAt);
    if (groupingOf(ctx, rec)) {
      const undone = chosen ?? (await owners.ownersIn(db, id, ['imported', 'failed']));
      for (const owner of undone) await owners.setOwnerState(db, id, owner, 'rolled_back');
    }
    await imports.updateImport(db, id, { rollback: { ...report } }, report.finishedAt);
    if (rec.createdByAdminId !== null) {
      await insertNotification(
        db,
        {
          adminId: rec.createdByAdminId,
          kind: 'import.rolled_back',
          title: `Import of ${rec.file.name} rolled back`,
          body: `${report.deleted} deleted, ${report.restored} restored, ${report.conflictCount} left alone because they changed since.`,
          importId: id,
        },
        report.finishedAt,
      );
    }
    await audit(ctx, db, IMPORT_WORKER, {
      action: 'import.rolled_back',
      entityType: 'import',
      entityId: id,
      customerId: rec.customerId,
      details: { deleted: report.deleted, restored: report.restored, conflicts: report.conflictCount },
    });
  });
}
