import type { Actor } from '../../core/access/policy.js';
import { errors } from '../../core/errors.js';
import { DEFAULT_OPTIONS, type ImportOptions, type ImportTarget } from '../../core/import/target.js';
import { listGroups } from '../../storage/queries/roles-groups.js';
import type { AppContext } from '../context.js';
import { visibleCustomer } from '../customers.js';
import { getUser } from '../users/get-user.js';

/**
 * The options an import runs with: the admin's choices over the defaults, each checked. A scoped
 * admin's imports always belong to their customer.
 */
export async function resolveOptions(
  ctx: AppContext,
  actor: Actor,
  target: ImportTarget<unknown>,
  input: Partial<ImportOptions> | undefined,
): Promise<ImportOptions> {
  const mode = target.modes.includes(DEFAULT_OPTIONS.mode) ? DEFAULT_OPTIONS.mode : target.modes[0]!;
  const options: ImportOptions = { ...DEFAULT_OPTIONS, mode, ...input };
  if (!target.modes.includes(options.mode)) {
    throw errors.field(
      'request.invalid',
      'options.mode',
      `The ${target.name} target does not allow mode "${options.mode}"; use ${target.modes.join(' or ')}.`,
      { problem: 'import.mode_not_allowed' },
    );
  }
  // Naming another customer is checked below, and not found, like any object outside the scope.
  if (actor.customerId !== null) options.customerId = input?.customerId ?? actor.customerId;
  if (options.customerId !== null) await visibleCustomer(ctx, actor, options.customerId);
  const perms = options.permissions;
  if (perms.kind === 'assignGroups') {
    const known = new Set((await listGroups(ctx.db)).map((g) => g.id));
    const missing = perms.groupIds.filter((id) => !known.has(id));
    if (perms.groupIds.length === 0 || missing.length > 0) {
      throw errors.field(
        'request.invalid',
        'options.permissions.groupIds',
        missing.length > 0
          ? `No group with id ${missing.join(', ')}.`
          : 'Choose at least one group to assign.',
        { problem: missing.length > 0 ? 'group.not_found' : 'group.required' },
      );
    }
  }
  if (perms.kind === 'mirrorUser') await getUser(ctx, actor, perms.userId);
  return options;
}
