import { hasPendingUsers, indexPendingUsers, takeIndexerLock } from '../../storage/queries/user-search.js';
import type { AppContext } from '../context.js';
import { inTransaction } from '../shared.js';

/**
 * Keeps the users' contains-search index up to date (storage/queries/user-search.ts). Writes only
 * note which users changed; this indexes them, a small batch per transaction so that a write
 * waiting behind it (on SQLite, every write of the process) waits one batch at most.
 */

/** Users indexed per transaction: a few tens of milliseconds of trigram work. */
const BATCH = 500;
/** How often an idle indexer looks for users written since (searches are exact meanwhile). */
const LOOK_EVERY_MS = 1_000;

/**
 * Indexes every pending user, batch by batch, until none is left or `yieldTo` says other work
 * comes first; answers how many entries it took.
 */
export async function indexUsersForSearch(
  ctx: AppContext,
  signal?: AbortSignal,
  yieldTo: () => boolean = () => false,
): Promise<number> {
  let total = 0;
  for (;;) {
    if (signal?.aborted || yieldTo()) return total;
    const taken = await inTransaction(ctx, async (db) =>
      (await takeIndexerLock(db)) ? indexPendingUsers(db, BATCH) : 0,
    );
    total += taken;
    if (taken === 0) return total;
    // Let requests in between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export interface SearchIndexer {
  stop(): Promise<void>;
}

/** Runs the indexer in this process until stopped: now, then whenever it finds users pending. */
export function startSearchIndexer(ctx: AppContext): SearchIndexer {
  const stopping = new AbortController();
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  const run = () => {
    running = (async () => {
      try {
        // An import being committed here comes first: its users are found meanwhile, only slower.
        if (ctx.live.size === 0 && (await hasPendingUsers(ctx.db))) {
          await indexUsersForSearch(ctx, stopping.signal, () => ctx.live.size > 0);
        }
      } catch (err) {
        ctx.log.error({ err }, 'indexing users for search failed; will try again');
      }
      if (!stopping.signal.aborted) timer = setTimeout(run, LOOK_EVERY_MS).unref();
    })();
  };
  run();
  return {
    async stop() {
      stopping.abort();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
