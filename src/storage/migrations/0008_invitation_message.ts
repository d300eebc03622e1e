import type { MigrationDb } from './helpers.js';

/**
 * The administrator's own words for an invitation (the import's or the resend's message), kept
 * with it so that its reminder says them again.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('invitations').addColumn('message', 'text').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('invitations').dropColumn('message').execute();
}
