import { sql } from 'kysely';
import { employeeNumberKey } from '../../core/domain/user.js';
import { isPostgres, keyType, type MigrationDb } from './helpers.js';

/**
 * Employee numbers get a lookup key (`employee_number_key`: ignoring case and surrounding spaces,
 * leading zeros significant), written by the one user writer like the email and username keys.
 * Owners of record rows and users matched by employee number are found through its index instead
 * of a scan over `lower(trim(employee_number))`. The key is not unique: users that already share a
 * number keep it (a row naming it is an error that names them all); new and changed numbers are
 * checked unique by the writes themselves.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('users').addColumn('employee_number_key', keyType(db)).execute();
  await sql`update users set employee_number_key = lower(trim(employee_number)) where employee_number is not null`.execute(
    db,
  );
  // SQL's lower() and trim() know ASCII letters and spaces only (SQLite; PostgreSQL under a C
  // locale): numbers holding any other character get the model's own key.
  const other = isPostgres(db)
    ? sql<{
        id: number;
        employee_number: string;
      }>`select id, employee_number from users where employee_number ~ '[^ -~]'`
    : sql<{
        id: number;
        employee_number: string;
      }>`select id, employee_number from users where employee_number glob '*[^ -~]*'`;
  for (const r of (await other.execute(db)).rows) {
    await db
      .updateTable('users')
      .set({ employee_number_key: employeeNumberKey(r.employee_number) })
      .where('id', '=', r.id)
      .execute();
  }
  await db.schema.dropIndex('users_employee_number').execute();
  await db.schema
    .createIndex('users_employee_number_key')
    .on('users')
    .column('employee_number_key')
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('users_employee_number_key').execute();
  await db.schema.createIndex('users_employee_number').on('users').column('employee_number').execute();
  await db.schema.alterTable('users').dropColumn('employee_number_key').execute();
}
