import type { Db } from '../database.js';

/**
 * The owners of an import grouped by owner (`import_owners`): each one's row counts (kept when the
 * rows are validated or fixed), what the admin decided for it and where it is.
 */
export type OwnerState =
  | 'pending'
  | 'queued'
  | 'importing'
  | 'imported'
  | 'skipped'
  | 'failed'
  | 'rolled_back';

export interface OwnerResult {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
}

export interface OwnerLine {
  userId: number;
  name: string;
  email: string;
  employeeNumber: string | null;
  rows: number;
  valid: number;
  invalid: number;
  firstRow: number;
  included: boolean;
  state: OwnerState;
  result: OwnerResult | null;
  job: number;
}

/**
 * Every owner the staged rows resolved to, in file order (by first row): the counts kept in
 * `import_owners` by `storeOwnerCounts`, so that reading them never counts the staged rows.
 */
export async function ownerLines(db: Db, importId: number): Promise<OwnerLine[]> {
  const lines = await db
    .selectFrom('import_owners')
    .leftJoin('users', 'users.id', 'import_owners.owner_id')
    .select([
      'import_owners.owner_id',
      'import_owners.included',
      'import_owners.state',
      'import_owners.first_row',
      'import_owners.job',
      'import_owners.result',
      'import_owners.row_count',
      'import_owners.valid_count',
      'users.display_name',
      'users.email',
      'users.employee_number',
    ])
    .where('import_owners.import_id', '=', importId)
    .where('import_owners.row_count', '>', 0)
    .orderBy('import_owners.first_row')
    .execute();
  return lines.map((l): OwnerLine => {
    const rows = Number(l.row_count);
    const valid = Number(l.valid_count);
    return {
      userId: l.owner_id,
      name: l.display_name ?? '',
      email: l.email ?? '',
      employeeNumber: l.employee_number ?? null,
      rows,
      valid,
      invalid: rows - valid,
      firstRow: Number(l.first_row),
      included: l.included === 1,
      state: l.state as OwnerState,
      result: l.result ? (JSON.parse(l.result) as OwnerResult) : null,
      job: l.job,
    };
  });
}

/**
 * Counts each owner's staged rows (one GROUP BY over the `import_rows_owner` index) and keeps the
 * counts in `import_owners`: called wherever the rows' verdicts are saved (staging, revalidation,
 * fixes), in the same transaction. An owner new to the import is included and pending; one left
 * without rows keeps its line with no rows, so it is listed again, as it was, if rows name it again.
 */
export async function storeOwnerCounts(db: Db, importId: number): Promise<void> {
  const groups = await db
    .selectFrom('import_rows')
    .select((eb) => [
      'owner_id',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>('valid').as('valid'),
      eb.fn.min<number>('row_number').as('first'),
    ])
    .where('import_id', '=', importId)
    .where('owner_id', 'is not', null)
    .groupBy('owner_id')
    .execute();
  await db
    .updateTable('import_owners')
    .set({ row_count: 0, valid_count: 0 })
    .where('import_id', '=', importId)
    .execute();
  for (let i = 0; i < groups.length; i += 500) {
    await db
      .insertInto('import_owners')
      .values(
        groups.slice(i, i + 500).map((g) => ({
          import_id: importId,
          owner_id: g.owner_id!,
          first_row: Number(g.first),
          included: 1,
          state: 'pending',
          job: 0,
          result: null,
          row_count: Number(g.n),
          valid_count: Number(g.valid ?? 0),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['import_id', 'owner_id']).doUpdateSet((eb) => ({
          first_row: eb.ref('excluded.first_row'),
          row_count: eb.ref('excluded.row_count'),
          valid_count: eb.ref('excluded.valid_count'),
        })),
      )
      .execute();
  }
}

/** Values that named no owner, with their row counts and the error codes of their rows, in file order. */
export async function unmatchedOwners(
  db: Db,
  importId: number,
): Promise<{ value: string; rows: number; firstRow: number; codes: string[] }[]> {
  // Grouped by the codes too: a value's rows share few sets of codes, so this stays one short list.
  const groups = await db
    .selectFrom('import_rows')
    .select((eb) => [
      'owner_value',
      'codes',
      eb.fn.countAll<number>().as('n'),
      eb.fn.min<number>('row_number').as('first'),
    ])
    .where('import_id', '=', importId)
    .where('owner_id', 'is', null)
    .groupBy(['owner_value', 'codes'])
    .execute();
  const byValue = new Map<string, { value: string; rows: number; firstRow: number; codes: string[] }>();
  for (const g of groups) {
    const value = g.owner_value ?? '';
    const seen = byValue.get(value) ?? { value, rows: 0, firstRow: Number(g.first), codes: [] };
    seen.rows += Number(g.n);
    seen.firstRow = Math.min(seen.firstRow, Number(g.first));
    for (const code of (g.codes ?? '').split(',')) {
      if (code && !seen.codes.includes(code)) seen.codes.push(code);
    }
    byValue.set(value, seen);
  }
  return [...byValue.values()].sort((a, b) => a.firstRow - b.firstRow);
}

/** How many owners the staged rows name (for the owner limit at upload). */
export async function ownerCount(db: Db, importId: number): Promise<number> {
  const r = await db
    .selectFrom('import_rows')
    .select((eb) => eb.fn.count<number>('owner_id').distinct().as('n'))
    .where('import_id', '=', importId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Sets what is given for these owners, adding their line when they have none yet. */
export async function setOwners(
  db: Db,
  importId: number,
  owners: readonly { ownerId: number; firstRow: number }[],
  patch: { included?: boolean; state?: OwnerState; job?: number; result?: OwnerResult | null },
): Promise<void> {
  const set = {
    ...(patch.included !== undefined && { included: patch.included ? 1 : 0 }),
    ...(patch.state !== undefined && { state: patch.state }),
    ...(patch.job !== undefined && { job: patch.job }),
    ...(patch.result !== undefined && {
      result: patch.result === null ? null : JSON.stringify(patch.result),
    }),
  };
  for (let i = 0; i < owners.length; i += 500) {
    const slice = owners.slice(i, i + 500);
    await db
      .insertInto('import_owners')
      .values(
        slice.map((o) => ({
          import_id: importId,
          owner_id: o.ownerId,
          first_row: o.firstRow,
          included: 1,
          state: 'pending',
          job: 0,
          result: null,
          ...set,
        })),
      )
      .onConflict((oc) => oc.columns(['import_id', 'owner_id']).doUpdateSet(set))
      .execute();
  }
}

/** Owners of `states` moved to `to` (a commit stopped: queued ones go back to pending). */
export async function moveOwners(db: Db, importId: number, from: readonly OwnerState[], to: OwnerState) {
  await db
    .updateTable('import_owners')
    .set({ state: to })
    .where('import_id', '=', importId)
    .where('state', 'in', from)
    .execute();
}

/** The owner a commit job works on next: the one it was importing, else the first queued in file order. */
export async function nextQueuedOwner(db: Db, importId: number): Promise<number | null> {
  for (const state of ['importing', 'queued'] as const) {
    const r = await db
      .selectFrom('import_owners')
      .select('owner_id')
      .where('import_id', '=', importId)
      .where('state', '=', state)
      .orderBy('first_row')
      .limit(1)
      .executeTakeFirst();
    if (r) return r.owner_id;
  }
  return null;
}

/** The latest commit request's number (0 before the first). */
export async function lastJob(db: Db, importId: number): Promise<number> {
  const r = await db
    .selectFrom('import_owners')
    .select((eb) => eb.fn.max<number>('job').as('job'))
    .where('import_id', '=', importId)
    .executeTakeFirst();
  return Number(r?.job ?? 0);
}

/** One owner's row results, counted by the database. */
export async function ownerResult(db: Db, importId: number, ownerId: number): Promise<OwnerResult> {
  const rows = await db
    .selectFrom('import_rows')
    .select(['result', 'valid', (eb) => eb.fn.countAll<number>().as('n')])
    .where('import_id', '=', importId)
    .where('owner_id', '=', ownerId)
    .groupBy(['result', 'valid'])
    .execute();
  const out: OwnerResult = { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
  for (const r of rows) {
    const n = Number(r.n);
    // Rows refused at validation were never written: they count as failed, as in the import's counts.
    if (r.valid === 0) out.failed += n;
    else if (r.result !== null && r.result in out) out[r.result as keyof OwnerResult] += n;
  }
  return out;
}

/** One owner's state (and result), its line already there (written when it was queued). */
export async function setOwnerState(
  db: Db,
  importId: number,
  ownerId: number,
  state: OwnerState,
  result?: OwnerResult,
): Promise<void> {
  await db
    .updateTable('import_owners')
    .set({ state, ...(result && { result: JSON.stringify(result) }) })
    .where('import_id', '=', importId)
    .where('owner_id', '=', ownerId)
    .execute();
}

/** Rows of the latest commit job's owners that have a result: where its progress is. */
export async function jobRowsDone(db: Db, importId: number): Promise<number> {
  const job = await lastJob(db, importId);
  const r = await db
    .selectFrom('import_rows')
    .innerJoin('import_owners', (j) =>
      j
        .onRef('import_owners.import_id', '=', 'import_rows.import_id')
        .onRef('import_owners.owner_id', '=', 'import_rows.owner_id'),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('import_rows.import_id', '=', importId)
    .where('import_owners.job', '=', job)
    .where('import_rows.result', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The owners in one of `states`, in file order. */
export async function ownersIn(db: Db, importId: number, states: readonly OwnerState[]): Promise<number[]> {
  const rows = await db
    .selectFrom('import_owners')
    .select('owner_id')
    .where('import_id', '=', importId)
    .where('state', 'in', states)
    .orderBy('first_row')
    .execute();
  return rows.map((r) => r.owner_id);
}
