import { errors } from '../../core/errors.js';
import { type ImportEvent, type ImportStatus, transition } from '../../core/import/status.js';
import type { Db } from '../../storage/database.js';
import * as imports from '../../storage/queries/imports.js';

/**
 * The one way an import's status changes: the event is looked up in the transition table against
 * the status stored now, and applied by compare-and-set in the caller's transaction. Of two
 * concurrent changes one wins; the other sees the status the winner left and gets the precise
 * error for it (`import.already_committing`, …), so that nobody is told of a change that is lost.
 * On PostgreSQL the compare-and-set also locks the import's row until the caller's transaction
 * ends: call this first in the transaction, before the work the new status stands for.
 */
export async function moveStatus(
  db: Db,
  id: number,
  event: ImportEvent,
  at: string,
  mappingComplete = true,
): Promise<{ from: ImportStatus; to: ImportStatus }> {
  // A lost compare-and-set means another transaction moved it: read what it left and decide again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const from = await imports.readStatus(db, id);
    if (from === undefined) throw errors.notFound('import', id);
    const to = transition(from, event, mappingComplete);
    if (await imports.compareAndSetStatus(db, id, from, to, at)) return { from, to };
  }
  throw errors.conflict('import.changed', 'This import changed meanwhile; reload it and try again.');
}
