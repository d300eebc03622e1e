import { type MigrationDb, timestampType } from './helpers.js';

/**
 * Invitation reminders: when the one reminder of an invitation was queued. Setting it is the
 * reminder's compare-and-set (`where reminded_at is null`), so several workers sweeping at once
 * remind each invitation once.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('invitations').addColumn('reminded_at', timestampType(db)).execute();
  // The sweep's read: open invitations not yet reminded, oldest first.
  await db.schema
    .createIndex('invitations_reminder_due')
    .on('invitations')
    .columns(['status', 'reminded_at', 'created_at'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('invitations_reminder_due').execute();
  await db.schema.alterTable('invitations').dropColumn('reminded_at').execute();
}
