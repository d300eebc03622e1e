import { type Actor, assertInScope, authorize } from '../../core/access/policy.js';
import type { PortalUser } from '../../core/domain/entities.js';
import { AppError, errors } from '../../core/errors.js';
import { Problems } from '../../core/problems.js';
import * as stored from '../../storage/queries/user-bulk-actions.js';
import { countUsers, matchingUserIds, type UserListFilter } from '../../storage/queries/users.js';
import type { AppContext } from '../context.js';
import { inviteUser } from '../invitations/manage.js';
import { audit, inTransaction } from '../shared.js';
import { deleteUser } from './delete-user.js';
import { getUser } from './get-user.js';
import { type UserSelection, userFilterFor } from './list-users.js';
import { updateUser } from './update-user.js';
import { checkMemberships } from './user-input.js';

/**
 * Bulk actions on users: one action over a selection (ids, or the list's filters), run as a job in
 * batches. Each user goes through the single-user use case (its rules, audit entry and version
 * bump); the bulk action itself gets one audit entry when it ends.
 */
export const BULK_ACTIONS = [
  'disable',
  'enable',
  'resend_invitation',
  'add_to_group',
  'remove_from_group',
  'delete',
] as const;
export type BulkActionKind = (typeof BULK_ACTIONS)[number];

/** Users handled per batch; progress is saved after each. */
const BATCH = 100;
/** Failures kept with their reasons; the count covers them all. */
const FAILURES_KEPT = 1_000;
/** Ids one request may name; more is a filter's job. */
export const MAX_BULK_IDS = 10_000;

export interface BulkActionInput {
  action: BulkActionKind;
  groupId?: number | undefined;
  selection: { ids: number[] } | { filter: UserSelection };
}

export interface BulkFailure {
  userId: number;
  code: string;
  message: string;
}

export interface BulkActionView {
  id: number;
  action: BulkActionKind;
  groupId: number | null;
  status: 'queued' | 'running' | 'done';
  progress: { done: number; total: number };
  counts: { changed: number; unchanged: number; failed: number };
  failures: BulkFailure[];
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
}

type StoredSelection = { ids: number[] } | { filter: UserListFilter };

const needsGroup = (action: BulkActionKind) => action === 'add_to_group' || action === 'remove_from_group';

/** Checks the request, resolves the selection within the actor's scope and queues the job. */
export async function startBulkAction(
  ctx: AppContext,
  actor: Actor,
  input: BulkActionInput,
): Promise<BulkActionView> {
  // Every action, delete included, needs what the single-user action needs.
  authorize(actor, 'users.manage');
  const problems = new Problems();
  if (needsGroup(input.action)) {
    if (input.groupId === undefined)
      problems.add('groupId', 'request.invalid', `The action "${input.action}" needs a groupId: the group.`);
    else await checkMemberships(ctx.db, undefined, [input.groupId], problems);
  } else if (input.groupId !== undefined) {
    problems.add('groupId', 'request.invalid', `The action "${input.action}" takes no groupId.`);
  }
  let selection: StoredSelection;
  let total: number;
  if ('ids' in input.selection) {
    const ids = [...new Set(input.selection.ids)].sort((a, b) => a - b);
    if (ids.length === 0) problems.add('selection.ids', 'request.invalid', 'Select at least one user.');
    selection = { ids };
    total = ids.length;
  } else {
    // Scoped admins: the filter is forced to their customer (userFilterFor).
    const filter = await userFilterFor(ctx, actor, input.selection.filter);
    selection = { filter };
    total = (await countUsers(ctx.db, filter)).n;
  }
  problems.throwIfAny();
  const id = await stored.insertBulkAction(ctx.db, {
    action: input.action,
    group_id: input.groupId ?? null,
    selection: JSON.stringify(selection),
    actor: JSON.stringify(actor),
    customer_id: actor.customerId,
    total,
    created_by_label: actor.label,
    created_at: ctx.now().toISOString(),
  });
  await ctx.jobs.enqueue('users.bulk', id);
  return getBulkAction(ctx, actor, id);
}

export async function getBulkAction(ctx: AppContext, actor: Actor, id: number): Promise<BulkActionView> {
  authorize(actor, 'directory.read');
  const row = await stored.findBulkAction(ctx.db, id);
  const notFound = () => errors.notFound('bulk_action', id);
  if (!row) throw notFound();
  assertInScope(actor, row.customer_id, notFound);
  return toView(row);
}

function toView(row: stored.BulkActionRow): BulkActionView {
  return {
    id: row.id,
    action: row.action as BulkActionKind,
    groupId: row.group_id,
    status: row.status as BulkActionView['status'],
    progress: { done: row.done, total: Math.max(row.total, row.done) },
    counts: { changed: row.changed, unchanged: row.unchanged, failed: row.failed },
    failures: JSON.parse(row.failures) as BulkFailure[],
    createdBy: row.created_by_label,
    createdAt: new Date(row.created_at).toISOString(),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
  };
}

type Outcome = 'changed' | 'unchanged';

/** One user, through the single-user use case; 'unchanged' when it already is as asked. */
async function applyTo(
  ctx: AppContext,
  actor: Actor,
  action: BulkActionKind,
  groupId: number | null,
  userId: number,
): Promise<Outcome> {
  const user: PortalUser = await getUser(ctx, actor, userId);
  switch (action) {
    case 'disable':
      if (user.status === 'disabled') return 'unchanged';
      await updateUser(ctx, actor, userId, { status: 'disabled' });
      return 'changed';
    case 'enable':
      if (user.status !== 'disabled' && user.status !== 'blocked') return 'unchanged';
      // As the user page's Enable: back to active once activated, else pending.
      await updateUser(ctx, actor, userId, { status: user.activatedAt ? 'active' : 'pending' });
      return 'changed';
    case 'resend_invitation':
      await inviteUser(ctx, actor, userId, {});
      return 'changed';
    case 'add_to_group': {
      const ids = user.groups.map((g) => g.id);
      if (groupId === null || ids.includes(groupId)) return 'unchanged';
      await updateUser(ctx, actor, userId, { groupIds: [...ids, groupId] });
      return 'changed';
    }
    case 'remove_from_group': {
      const ids = user.groups.map((g) => g.id);
      if (groupId === null || !ids.includes(groupId)) return 'unchanged';
      await updateUser(ctx, actor, userId, { groupIds: ids.filter((g) => g !== groupId) });
      return 'changed';
    }
    case 'delete':
      await deleteUser(ctx, actor, userId);
      return 'changed';
  }
}

/** The job: batch by batch from where it stopped, progress saved after each batch. */
export async function runBulkAction(ctx: AppContext, id: number): Promise<void> {
  const row = await stored.findBulkAction(ctx.db, id);
  if (!row || row.status === 'done') return;
  const actor = JSON.parse(row.actor) as Actor;
  const selection = JSON.parse(row.selection) as StoredSelection;
  const action = row.action as BulkActionKind;
  const failures = JSON.parse(row.failures) as BulkFailure[];
  const counts = { done: row.done, changed: row.changed, unchanged: row.unchanged, failed: row.failed };
  let after = row.after_id;
  await stored.updateBulkAction(ctx.db, id, { status: 'running' });
  for (;;) {
    if (ctx.shutdown.signal.aborted) return; // resumed by the next worker from `after_id`
    const ids =
      'ids' in selection
        ? selection.ids.filter((u) => u > after).slice(0, BATCH)
        : await matchingUserIds(ctx.db, selection.filter, after, BATCH);
    if (ids.length === 0) break;
    for (const userId of ids) {
      try {
        counts[await applyTo(ctx, actor, action, row.group_id, userId)]++;
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        counts.failed++;
        if (failures.length < FAILURES_KEPT) failures.push({ userId, code: e.code, message: e.message });
      }
      counts.done++;
    }
    after = ids[ids.length - 1]!;
    await stored.updateBulkAction(ctx.db, id, {
      done: counts.done,
      after_id: after,
      changed: counts.changed,
      unchanged: counts.unchanged,
      failed: counts.failed,
      failures: JSON.stringify(failures),
    });
  }
  const groupId = row.group_id;
  // The audit entry and the end land together: a resumed job never audits twice.
  await inTransaction(ctx, async (db) => {
    await audit(ctx, db, actor, {
      action: 'user.bulk',
      entityType: 'user_bulk_action',
      entityId: id,
      customerId: actor.customerId,
      details: {
        action,
        ...(groupId !== null && { groupId }),
        selection: 'ids' in selection ? { users: selection.ids.length } : { filter: selection.filter },
        changed: counts.changed,
        unchanged: counts.unchanged,
        failed: counts.failed,
      },
    });
    await stored.updateBulkAction(db, id, {
      status: 'done',
      total: counts.done,
      finished_at: ctx.now().toISOString(),
    });
  });
}
