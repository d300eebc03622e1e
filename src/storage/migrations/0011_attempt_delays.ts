import type { MigrationDb } from './helpers.js';

/**
 * Attempt throttling counts and checks in one statement (storage/queries/throttle.ts): `refused`
 * says whether the latest attempt was turned away, and `locked_until` is when the next may come.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .alterTable('login_throttle')
    .addColumn('refused', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('login_throttle').dropColumn('refused').execute();
}
