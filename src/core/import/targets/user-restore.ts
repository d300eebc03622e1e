import { undoAtVersion } from '../restore.js';
import type { RestorePoint } from '../target.js';
import type { UserSnapshot, UsersStore } from './users.js';

/** How restore points name portal users (`import_changes.entity_type`). */
export const USER_ENTITY = 'user';

/**
 * The restore point of the targets that write portal users: a created user's id, an updated one's
 * full snapshot from before; undone while the user is still at the version the import left.
 */
export function userRestorePoint<Env extends { store: UsersStore }>(): RestorePoint<Env, UserSnapshot> {
  return {
    entityType: USER_ENTITY,
    undo: (changes, env) =>
      undoAtVersion(
        changes,
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
      ),
  };
}
