import type { RecordedChange, UndoOutcome } from './target.js';

/**
 * The storage an undo by version needs: each entity carries a version that every write raises, so
 * "still as the import left it" is "still at the version the import recorded".
 */
export interface VersionedEntities<Before> {
  /** The current version of those of `ids` that still exist, with a label people recognise. */
  versions(ids: readonly number[]): Promise<Map<number, { version: number; label: string | null }>>;
  /** Deletes entities the import created. */
  remove(ids: readonly number[]): Promise<void>;
  /** Puts entities back as their before-images were (a write of its own: a new version). */
  restore(befores: readonly Before[]): Promise<void>;
}

/**
 * The usual undo: an entity still at the version the import left is deleted (created) or restored
 * (updated); one deleted or changed since is left alone and reported, named by `noun`.
 */
export async function undoAtVersion<Before>(
  changes: readonly RecordedChange<Before>[],
  entities: VersionedEntities<Before>,
  noun: string,
): Promise<UndoOutcome[]> {
  const current = await entities.versions(changes.map((c) => c.entityId));
  const outcomes: UndoOutcome[] = [];
  const removed: number[] = [];
  const restored: Before[] = [];
  for (const change of changes) {
    const now = current.get(change.entityId);
    if (!now) {
      outcomes.push({
        entityId: change.entityId,
        outcome: 'conflict',
        label: null,
        reason: `The ${noun} was deleted after the import.`,
      });
    } else if (now.version !== change.versionAfter) {
      outcomes.push({
        entityId: change.entityId,
        outcome: 'conflict',
        label: now.label,
        reason: `The ${noun} was changed after the import; left as it is now.`,
      });
    } else if (change.change === 'created') {
      removed.push(change.entityId);
      outcomes.push({ entityId: change.entityId, outcome: 'deleted' });
    } else {
      if (change.before === null)
        throw new Error(`The update of ${noun} ${change.entityId} kept no before-image.`);
      restored.push(change.before);
      outcomes.push({ entityId: change.entityId, outcome: 'restored' });
    }
  }
  if (removed.length > 0) await entities.remove(removed);
  if (restored.length > 0) await entities.restore(restored);
  return outcomes;
}
