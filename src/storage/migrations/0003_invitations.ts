import { type MigrationDb, notNull, timestampType, withId } from './helpers.js';

/**
 * Invitations and the outbox: every email is a row written in the transaction of the change that
 * causes it, and sent later by the mail worker. Activation and reset links carry random tokens
 * stored only as hashes; portal users get sessions of their own.
 */
export async function up(db: MigrationDb): Promise<void> {
  const ts = timestampType(db);

  // One invitation (activation) or password reset per row; a resend revokes the open one.
  await withId(db, db.schema.createTable('invitations'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('import_id', 'integer')
    .addColumn('created_by_label', 'text', notNull)
    .addColumn('created_at', ts, notNull)
    .addColumn('expires_at', ts, notNull)
    .addColumn('closed_at', ts)
    .execute();
  await db.schema.createIndex('invitations_user').on('invitations').columns(['user_id', 'id']).execute();
  // The expiry sweep reads open invitations by expiry.
  await db.schema
    .createIndex('invitations_status')
    .on('invitations')
    .columns(['status', 'expires_at'])
    .execute();

  // The links sent for an invitation: one per email sent, each a random secret stored as SHA-256.
  await db.schema
    .createTable('invitation_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('invitation_id', 'integer', (c) =>
      c.notNull().references('invitations.id').onDelete('cascade'),
    )
    .addColumn('created_at', ts, notNull)
    .execute();
  await db.schema
    .createIndex('invitation_tokens_invitation')
    .on('invitation_tokens')
    .column('invitation_id')
    .execute();

  await withId(db, db.schema.createTable('outbox'))
    .addColumn('kind', 'text', notNull)
    .addColumn('recipient', 'text', notNull)
    .addColumn('recipient_name', 'text', notNull)
    .addColumn('subject', 'text', notNull)
    .addColumn('text_body', 'text', notNull)
    .addColumn('html_body', 'text', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_at', 'bigint', notNull)
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'bigint')
    .addColumn('message_id', 'text', notNull)
    .addColumn('import_id', 'integer')
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('invitation_id', 'integer', (c) => c.references('invitations.id').onDelete('set null'))
    .addColumn('customer_id', 'integer')
    .addColumn('created_at', ts, notNull)
    .addColumn('updated_at', ts, notNull)
    .addColumn('sent_at', ts)
    .execute();
  // The worker's next email: due ones by status and time.
  await db.schema
    .createIndex('outbox_due')
    .on('outbox')
    .columns(['status', 'next_attempt_at', 'id'])
    .execute();
  await db.schema.createIndex('outbox_import').on('outbox').columns(['import_id', 'id']).execute();
  await db.schema.createIndex('outbox_user').on('outbox').columns(['user_id', 'id']).execute();
  await db.schema.createIndex('outbox_invitation').on('outbox').column('invitation_id').execute();

  // The embedded default's mailbox: what would have gone out over SMTP, as delivered.
  await withId(db, db.schema.createTable('mailbox'))
    .addColumn('outbox_id', 'integer', notNull)
    .addColumn('sender', 'text', notNull)
    .addColumn('recipient', 'text', notNull)
    .addColumn('subject', 'text', notNull)
    .addColumn('text_body', 'text', notNull)
    .addColumn('html_body', 'text', notNull)
    .addColumn('raw', 'text', notNull)
    .addColumn('received_at', ts, notNull)
    .execute();

  // Sending as a whole: paused or not, and the shared rate (the next free sending slot, epoch ms).
  await db.schema
    .createTable('mail_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_slot_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('run_started_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db
    .insertInto('mail_state')
    .values({ id: 1, paused: 0, next_slot_at: 0, run_started_at: 0 })
    .execute();

  await withId(db, db.schema.createTable('portal_sessions'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', ts, notNull)
    .addColumn('expires_at', ts, notNull)
    .execute();
  await db.schema.createIndex('portal_sessions_user').on('portal_sessions').column('user_id').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of [
    'portal_sessions',
    'mail_state',
    'mailbox',
    'outbox',
    'invitation_tokens',
    'invitations',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
