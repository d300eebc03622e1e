import { undoAtVersion } from '../restore.js';
import type { RecordedChange, RestorePoint, UndoOutcome } from '../target.js';
import { isDeletedUser } from './user-actions.js';
import type { UserSnapshot, UsersStore } from './users.js';

/** How restore points name portal users (`import_changes.entity_type`). */
export const USER_ENTITY = 'user';

/**
 * The restore point of the targets that write portal users: a created user's id, an updated one's
 * full snapshot from before; undone while the user is still at the version the import left. A
 * deleted user's snapshot (with its row and memberships) is inserted again under its own id, unless
 * another user took its email or username since.
 */
export function userRestorePoint<Env extends { store: UsersStore }>(): RestorePoint<Env, UserSnapshot> {
  return {
    entityType: USER_ENTITY,
    async undo(changes, env) {
      const deleted = changes.filter((c) => c.change === 'deleted');
      const others = changes.filter((c) => c.change !== 'deleted');
      const outcomes = await undoAtVersion(
        others,
        {
          versions: async (ids) =>
            new Map(
              [...(await env.store.versions(ids))].map(([id, v]) => [
                id,
                { version: v.version, label: v.email },
              ]),
            ),
          remove: (ids) => env.store.remove(ids),
          restore: (befores) => env.store.restore(befores),
        },
        'user',
      );
      if (deleted.length > 0) outcomes.push(...(await undoDeletes(deleted, env.store)));
      return outcomes;
    },
  };
}

async function undoDeletes(
  changes: readonly RecordedChange<UserSnapshot>[],
  store: UsersStore,
): Promise<UndoOutcome[]> {
  const users = changes.map((c) => {
    if (c.before === null || !isDeletedUser(c.before))
      throw new Error(`The delete of user ${c.entityId} kept no snapshot to restore.`);
    return c.before;
  });
  const back = await store.reinsert(users);
  return users.map(
    (u): UndoOutcome =>
      back.has(u.id)
        ? { entityId: u.id, outcome: 'restored' }
        : {
            entityId: u.id,
            outcome: 'conflict',
            label: u.email,
            reason: 'Another user has taken its email or username since the import; left deleted.',
          },
  );
}
