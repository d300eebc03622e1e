import { type Actor, IMPORT_WORKER } from '../../core/access/policy.js';
import { transition } from '../../core/import/status.js';
import type { UserSnapshot } from '../../core/import/targets/users.js';
import * as changes from '../../storage/queries/import-changes.js';
import * as imports from '../../storage/queries/imports.js';
import { insertNotification } from '../../storage/queries/notifications.js';
import type { AppContext } from '../context.js';
import { audit, inTransaction } from '../shared.js';
import { visibleImport } from './access.js';
import { type Lease, withLease } from './lease.js';
import { getImport } from './manage-import.js';
import { moveStatus } from './move-status.js';
import type { ImportView } from './view.js';

/** Queues the rollback of a committed (or stopped) import. */
export async function requestRollback(ctx: AppContext, actor: Actor, id: number): Promise<ImportView> {
  const rec = await visibleImport(ctx, actor, id, 'imports.run');
  transition(rec.status, 'rollback');
  const at = ctx.now().toISOString();
  await inTransaction(ctx, async (db) => {
    await moveStatus(db, id, 'rollback', at);
    await audit(ctx, db, actor, {
      action: 'import.rollback',
      entityType: 'import',
      entityId: id,
      customerId: rec.customerId,
    });
  });
  await ctx.jobs.enqueue('import.rollback', id);
  return getImport(ctx, actor, id);
}

export interface RollbackReport {
  deleted: number;
  restored: number;
  /** Users left alone because they changed since the import (the first 1,000; `conflictCount` has all). */
  conflicts: { userId: number; email: string | null; reason: string }[];
  conflictCount: number;
  finishedAt: string;
}

const BATCH = 500;

/**
 * The rollback job: deletes the users the import created and restores those it changed, but only
 * where nobody changed them since (same version as the import left them). Every other user is
 * left alone and reported, with the reason. Each batch is one transaction; a restart continues.
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
  const report: RollbackReport = { deleted: 0, restored: 0, conflicts: [], conflictCount: 0, finishedAt: '' };
  const conflict = (c: RollbackReport['conflicts'][number]) => {
    report.conflictCount++;
    if (report.conflicts.length < 1000) report.conflicts.push(c);
  };
  for (;;) {
    // Shutting down: stop between batches; the job resumes on the next start.
    if (ctx.shutdown.signal.aborted) return;
    const done = await inTransaction(ctx, async (db) => {
      await lease.renew(db);
      const batch = await changes.pendingChanges(db, id, BATCH);
      if (batch.length === 0) return true;
      const current = await changes.currentVersions(
        db,
        batch.map((c) => c.userId),
      );
      for (const change of batch) {
        const now = current.get(change.userId);
        if (!now) {
          conflict({ userId: change.userId, email: null, reason: 'The user was deleted after the import.' });
        } else if (now.version !== change.versionAfter) {
          conflict({
            userId: change.userId,
            email: now.email,
            reason: 'The user was changed after the import; left as it is now.',
          });
        } else if (change.change === 'created') {
          await changes.deleteUser(db, change.userId);
          report.deleted++;
        } else {
          await changes.restoreUser(db, JSON.parse(change.before!) as UserSnapshot, ctx.now().toISOString());
          report.restored++;
        }
        await changes.markReverted(db, id, change.userId);
      }
      return false;
    });
    if (done) break;
    // Let requests in between batches (see engine.ts: a synchronous driver never yields by itself).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  report.finishedAt = ctx.now().toISOString();
  await inTransaction(ctx, async (db) => {
    await moveStatus(db, id, 'rolled_back', report.finishedAt);
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
