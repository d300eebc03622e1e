import { type Actor, authorize } from '../../core/access/policy.js';
import { matchingUserIds } from '../../storage/queries/users.js';
import type { AppContext } from '../context.js';
import { envFor } from '../imports/registry.js';
import type { FileFormat, FileToSend } from '../imports/result-files.js';
import { writeTemplate } from '../imports/templates.js';
import { audit } from '../shared.js';
import { type UserSelection, userFilterFor } from './list-users.js';

/** Users read per page while writing the file. */
const PAGE = 1_000;

/**
 * The users a list shows (its filters and search, within the admin's scope) as a users template:
 * the same columns, hint row and drop-downs, so the file can be edited and uploaded back as an
 * update. Written page by page, whatever the number of users.
 */
export async function exportUsers(
  ctx: AppContext,
  actor: Actor,
  selection: UserSelection,
  format: FileFormat,
): Promise<FileToSend> {
  authorize(actor, 'directory.read');
  const filter = await userFilterFor(ctx, actor, selection);
  const binding = ctx.targets.get('users');
  const target = binding.target;
  const env = await envFor(ctx, binding, ctx.db, actor.customerId);
  const existingOf = target.existingOf;
  if (!existingOf) throw new Error('The users target cannot export a selection.');
  let count = 0;
  const pages = (async function* () {
    let after = 0;
    for (;;) {
      const ids = await matchingUserIds(ctx.db, filter, after, PAGE);
      if (ids.length === 0) break;
      const rows = await existingOf.call(target, env, ids);
      count += rows.length;
      yield rows.map((r) => r.cells);
      after = ids[ids.length - 1]!;
    }
    await audit(ctx, ctx.db, actor, {
      action: 'user.export',
      entityType: 'user',
      entityId: null,
      customerId: actor.customerId,
      details: { users: count, format, filter: { ...filter } },
    });
  })();
  const day = ctx.now().toISOString().slice(0, 10);
  // The drop-downs of the customer the export is about (an admin's own, or the one filtered on).
  const choices = target.templateChoices?.(env, filter.customerId ?? null) ?? {};
  return writeTemplate(target.label, target.fields(env), choices, format, pages, `users-${day}.${format}`);
}
