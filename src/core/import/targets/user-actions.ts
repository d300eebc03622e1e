import type { CellValue } from '../cells.js';
import type { RowProblem } from '../problems.js';
import type {
  CheckedRow,
  MappedRow,
  RowInput,
  RowResult,
  RunOptions,
  TargetField,
  WritableRow,
} from '../target.js';
import { problem } from '../validate.js';
import type { UsersOptions } from './user-options.js';
import type { ExistingUserRef, UserSnapshot, UsersEnv } from './users.js';

/**
 * What a row of the users target does (its Action cell, or the import's `defaultAction`):
 * `upsert` as the import's mode says; `create` only a new user; `update` only an existing one;
 * `disable`, `enable` change the status alone; `delete` removes the user (restorable by rollback).
 */
export const USER_ACTIONS = ['upsert', 'create', 'update', 'disable', 'enable', 'delete'] as const;
export type UserAction = (typeof USER_ACTIONS)[number];

/** Actions that need only the key of the user: every other column of the row is left unread. */
const KEY_ONLY: ReadonlySet<UserAction> = new Set(['disable', 'enable', 'delete']);

export const ACTION_FIELD: TargetField = {
  key: 'action',
  column: 'Action',
  label: 'Action',
  type: 'enum',
  required: false,
  allowed: USER_ACTIONS,
  description:
    "What the row does: upsert, create, update, disable, enable or delete. Left empty: the import's default action (upsert unless chosen otherwise). disable, enable and delete need only the column that finds the user.",
  synonyms: ['Operation', 'Row action', 'To do', 'Command'],
};

/** What the users' table holds beyond the model, kept with a deleted user so an undo puts it back as it was. */
export interface UserRowExtras {
  passwordHash: string | null;
  activatedAt: string | null;
  createdAt: string;
  updatedAt: string;
  importId: number | null;
  createdByImportId: number | null;
}

/** A deleted user as its restore point keeps it: the full state, memberships and the row's own columns. */
export interface DeletedUser extends UserSnapshot {
  row: UserRowExtras;
}

export const isDeletedUser = (u: UserSnapshot): u is DeletedUser => 'row' in u && u.row !== undefined;

type Options = RunOptions<UsersOptions>;

/** The row's action: its Action cell, else the import's default. */
export function rowAction(values: MappedRow, options: Options): UserAction {
  const cell = values.action;
  if (typeof cell === 'string' && (USER_ACTIONS as readonly string[]).includes(cell))
    return cell as UserAction;
  return options.defaultAction ?? 'upsert';
}

export const isKeyOnly = (action: UserAction): boolean => KEY_ONLY.has(action);

/**
 * Whether a row must fill a required field: a key-only row needs only the column that finds the
 * user. Under another key than email, an empty Email keeps the user's email: only a row that
 * creates a user needs one, which the check asks once it knows the row creates.
 */
export function userRowRequires(field: TargetField, values: MappedRow, options: Options): boolean {
  const matchBy = options.matchBy ?? 'email';
  if (isKeyOnly(rowAction(values, options))) return field.key === matchBy;
  return field.key !== 'email' || matchBy === 'email';
}

/** A key-only row as the check reads it: the match column and the action, nothing else. */
export function keyOnlyRow(row: RowInput, matchBy: string): RowInput {
  const pick = <T>(from: Record<string, T>): Record<string, T> => {
    const out: Record<string, T> = {};
    for (const key of [matchBy, 'action']) if (key in from) out[key] = from[key]!;
    return out;
  };
  return {
    row: row.row,
    values: pick<CellValue>(row.values),
    columns: pick(row.columns),
    raw: pick(row.raw),
  };
}

/** The status a disable or enable leaves a user in: as the console's Enable, active once the user activated, else pending. */
export function statusAfter(
  action: 'disable' | 'enable',
  current: Pick<UserSnapshot, 'status'>,
  activatedAt: string | null,
): UserSnapshot['status'] {
  if (action === 'disable') return 'disabled';
  if (current.status !== 'disabled' && current.status !== 'blocked') return current.status;
  return activatedAt ? 'active' : 'pending';
}

/** What the check decides for a row whose action is not `upsert` (null: the mode decides, as before). */
export function planUserAction(
  action: UserAction,
  row: RowInput,
  found: ExistingUserRef | undefined,
  out: RowProblem[],
  where: { keyName: string; column: string | null; value: string | null },
): CheckedRow | null {
  if (action === 'upsert') return null;
  if (action === 'create') {
    if (!found) return { problems: out, action: 'create' };
    const exists = problem(
      row.row,
      where.column,
      where.value,
      'user.exists',
      `A user with this ${where.keyName} exists; the row's action is "create", which only makes new users. Write "update" or "upsert" to change it.`,
      'row',
    );
    return { problems: [...out, exists], action: null };
  }
  if (!found) {
    const missing = problem(
      row.row,
      where.column,
      where.value,
      'user.not_found',
      `No user with this ${where.keyName} that you manage: the row's action "${action}" needs an existing user.`,
      'row',
    );
    return { problems: [...out, missing], action: null };
  }
  return { problems: out, action: action === 'delete' ? 'delete' : 'update', existingId: found.id };
}

/**
 * Refuses the deletes of users who own records: a user's records go with the user, and a rollback
 * restores users, not records, so such a delete is a problem of the row rather than a silent loss.
 */
export async function refuseOwnersOfRecords(
  checked: CheckedRow[],
  rows: readonly RowInput[],
  env: UsersEnv,
  column: (row: RowInput) => { column: string | null; value: string | null },
): Promise<CheckedRow[]> {
  const ids = checked.flatMap((c) =>
    c.action === 'delete' && c.existingId !== undefined ? [c.existingId] : [],
  );
  if (ids.length === 0) return checked;
  const owned = await env.store.ownedRecords(ids);
  return checked.map((c, i) => {
    const n = c.action === 'delete' && c.existingId !== undefined ? (owned.get(c.existingId) ?? 0) : 0;
    if (n === 0) return c;
    const where = column(rows[i]!);
    const owns = problem(
      rows[i]!.row,
      where.column,
      where.value,
      'user.owns_records',
      `This user owns ${n} record${n === 1 ? '' : 's'}, which a delete would remove with them: delete or move the records first, or disable the user instead.`,
      'row',
    );
    return { problems: [...c.problems, owns], action: null };
  });
}

/**
 * Writes the rows whose action is disable, enable or delete; hands back the others (creates and
 * updates) for the usual writes. Each result carries its restore point's entry: a status change the
 * snapshot before, a delete the full user (state, memberships and row) to insert again.
 */
export async function commitUserActions(
  rows: readonly WritableRow[],
  env: UsersEnv,
  options: Options,
  importId: number,
): Promise<{ results: RowResult<UserSnapshot>[]; rest: WritableRow[] }> {
  const mine: { row: WritableRow; action: 'disable' | 'enable' | 'delete'; id: number }[] = [];
  const rest: WritableRow[] = [];
  for (const row of rows) {
    const action = rowAction(row.values, options);
    if ((action === 'disable' || action === 'enable' || action === 'delete') && row.existingId !== null)
      mine.push({ row, action, id: row.existingId });
    else rest.push(row);
  }
  if (mine.length === 0) return { results: [], rest };
  const ids = mine.map((m) => m.id);
  const [states, extras] = await Promise.all([env.store.snapshots(ids), env.store.rowExtras(ids)]);
  const results: RowResult<UserSnapshot>[] = [];
  const statusChanges: { before: UserSnapshot; after: UserSnapshot }[] = [];
  const deleted: number[] = [];
  for (const { row, action, id } of mine) {
    const current = states.get(id);
    const extra = extras.get(id);
    if (!current || !extra) {
      results.push({
        row: row.row,
        action: 'failed',
        entityId: id,
        message: 'The user was deleted while this import ran.',
      });
      continue;
    }
    if (action === 'delete') {
      deleted.push(id);
      const before: DeletedUser = { ...current, row: extra };
      results.push({
        row: row.row,
        action: 'deleted',
        entityId: id,
        message: null,
        // The user is gone: the undo inserts it again while nobody took its email or username.
        restore: { change: 'deleted', before, versionAfter: current.version },
      });
      continue;
    }
    const status = statusAfter(action, current, extra.activatedAt);
    if (status === current.status) {
      results.push({ row: row.row, action: 'unchanged', entityId: id, message: null });
      continue;
    }
    statusChanges.push({ before: current, after: { ...current, status } });
    results.push({
      row: row.row,
      action: action === 'disable' ? 'disabled' : 'enabled',
      entityId: id,
      message: null,
      restore: { change: 'updated', before: current, versionAfter: current.version + 1 },
    });
  }
  if (statusChanges.length > 0) await env.store.update(statusChanges, importId);
  if (deleted.length > 0) await env.store.remove(deleted);
  return { results, rest };
}
