import type { MigrationDb } from './helpers.js';

/**
 * An import's options keep the general ones (mode, emptyCells, atomic, customerId) at the top and
 * the target's own under `targetOptions`: every other key of an import's or a configuration's
 * options moves there (for the users targets: sendInvites, inviteMessage, permissions).
 */
// `dateOrder` came later as a general option: it stays at the top when migrating down and up again.
const GENERAL = ['mode', 'emptyCells', 'atomic', 'customerId', 'dateOrder'];

export async function up(db: MigrationDb): Promise<void> {
  await rewrite(db, 'imports', (options) => {
    const { general, own } = split(options);
    return { ...general, targetOptions: own };
  });
  // A configuration's options are partial: it gets `targetOptions` only when it named some.
  await rewrite(db, 'import_configs', (options) => {
    const { general, own } = split(options);
    return Object.keys(own).length > 0 ? { ...general, targetOptions: own } : general;
  });
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of ['imports', 'import_configs'] as const) {
    await rewrite(db, table, (options) => {
      const { targetOptions, ...general } = options as { targetOptions?: Record<string, unknown> };
      return { ...targetOptions, ...general };
    });
  }
}

/** The general options, and the target's own (every other key); none when moved already. */
function split(options: Record<string, unknown>) {
  if ('targetOptions' in options) {
    const { targetOptions, ...general } = options as { targetOptions: Record<string, unknown> };
    return { general, own: targetOptions };
  }
  const general: Record<string, unknown> = {};
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) (GENERAL.includes(key) ? general : own)[key] = value;
  return { general, own };
}

/** Rewrites the options of every row of a table (imports and configurations: not many rows). */
async function rewrite(
  db: MigrationDb,
  table: 'imports' | 'import_configs',
  change: (options: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = (await db
      .selectFrom(table)
      .select(['id', 'options'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(500)
      .execute()) as { id: number; options: string }[];
    if (rows.length === 0) return;
    for (const row of rows) {
      const before = JSON.parse(row.options) as Record<string, unknown>;
      const next = JSON.stringify(change(before));
      if (next !== row.options)
        await db.updateTable(table).set({ options: next }).where('id', '=', row.id).execute();
    }
    after = rows[rows.length - 1]!.id;
  }
}
