import { readErrors } from '../../core/import/read/read-errors.js';
import type { AppContext } from '../context.js';

/**
 * Uploads this process reads at once (IMPORT_MAX_CONCURRENT_READS). Each read has a worker thread
 * and a heap of its own: the limit bounds the cores and memory that uploads can take together.
 */
const active = new WeakMap<AppContext, { count: number }>();

/** Takes a slot, or fails with `import.server_busy` (503) when all are taken; answers its release. */
export function takeReadSlot(ctx: AppContext): () => void {
  let slots = active.get(ctx);
  if (!slots) {
    slots = { count: 0 };
    active.set(ctx, slots);
  }
  const limit = ctx.config.imports.maxConcurrentReads;
  if (slots.count >= limit) throw readErrors.busy(limit, 5);
  slots.count++;
  let released = false;
  const taken = slots;
  return () => {
    if (released) return;
    released = true;
    taken.count--;
  };
}
