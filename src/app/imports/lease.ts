import { appError } from '../../core/errors.js';
import type { Db } from '../../storage/database.js';
import { claimLease, releaseLease, renewLease } from '../../storage/queries/imports.js';
import type { AppContext } from '../context.js';

/**
 * One worker at a time per import. A job claims the import for a short lease and renews it with
 * every batch, in the batch's transaction; a crashed worker's claim runs out and the job is taken
 * up again. A worker that lost its claim stops before writing anything more.
 */
export class JobBusy extends Error {
  constructor(readonly retryAfterMs: number) {
    super('Another worker is running this job.');
  }
}

export const leaseLost = () => appError('import.worker_replaced');

export interface Lease {
  /** Extends the claim inside the caller's transaction; throws when the claim was lost. */
  renew(db: Db): Promise<void>;
}

export async function withLease<T>(
  ctx: AppContext,
  importId: number,
  work: (lease: Lease) => Promise<T>,
): Promise<T> {
  const owner = ctx.workerId;
  const now = Date.now();
  if (!(await claimLease(ctx.db, importId, owner, now, now + ctx.config.jobLeaseMs))) {
    throw new JobBusy(ctx.config.jobLeaseMs);
  }
  try {
    return await work({
      async renew(db) {
        if (!(await renewLease(db, importId, owner, Date.now() + ctx.config.jobLeaseMs))) throw leaseLost();
      },
    });
  } finally {
    await releaseLease(ctx.db, importId, owner).catch(() => undefined);
  }
}
