import { type Migration, type MigrationResultSet, Migrator } from 'kysely';
import type { Db } from './database.js';
import * as m0001 from './migrations/0001_foundation.js';
import * as m0002 from './migrations/0002_imports.js';
import * as m0003 from './migrations/0003_invitations.js';
import * as m0004 from './migrations/0004_users_by_import.js';
import * as m0005 from './migrations/0005_invitation_reminders.js';
import * as m0006 from './migrations/0006_contact_search.js';
import * as m0007 from './migrations/0007_user_history.js';
import * as m0008 from './migrations/0008_invitation_message.js';
import * as m0009 from './migrations/0009_import_files.js';
import * as m0010 from './migrations/0010_user_created_by_import.js';
import * as m0011 from './migrations/0011_attempt_delays.js';
import * as m0012 from './migrations/0012_import_config_scope.js';
import * as m0013 from './migrations/0013_changes_by_entity.js';
import * as m0014 from './migrations/0014_target_options.js';
import * as m0015 from './migrations/0015_records.js';
import * as m0016 from './migrations/0016_import_history.js';
import * as m0017 from './migrations/0017_user_search.js';
import * as m0018 from './migrations/0018_import_owners.js';
import * as m0019 from './migrations/0019_import_fixes.js';
import * as m0020 from './migrations/0020_owner_counts.js';
import * as m0021 from './migrations/0021_user_bulk_actions.js';
import * as m0022 from './migrations/0022_employee_number_key.js';
import * as m0023 from './migrations/0023_user_search_watermark.js';
import * as m0024 from './migrations/0024_update_diffs.js';
import * as m0025 from './migrations/0025_user_id_key.js';

/** Migrations in code, in order. Names are permanent: add, never rename. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_imports': m0002,
  '0003_invitations': m0003,
  '0004_users_by_import': m0004,
  '0005_invitation_reminders': m0005,
  '0006_contact_search': m0006,
  '0007_user_history': m0007,
  '0008_invitation_message': m0008,
  '0009_import_files': m0009,
  '0010_user_created_by_import': m0010,
  '0011_attempt_delays': m0011,
  '0012_import_config_scope': m0012,
  '0013_changes_by_entity': m0013,
  '0014_target_options': m0014,
  '0015_records': m0015,
  '0016_import_history': m0016,
  '0017_user_search': m0017,
  '0018_import_owners': m0018,
  '0019_import_fixes': m0019,
  '0020_owner_counts': m0020,
  '0021_user_bulk_actions': m0021,
  '0022_employee_number_key': m0022,
  '0023_user_search_watermark': m0023,
  '0024_update_diffs': m0024,
  '0025_user_id_key': m0025,
};

const migrator = (db: Db) =>
  new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'roster_migrations',
    migrationLockTableName: 'roster_migrations_lock',
  });

export async function migrateToLatest(db: Db): Promise<string[]> {
  return applied(await migrator(db).migrateToLatest());
}

/** Applies or undoes migrations until `name` is the newest applied (for tests of a migration). */
export async function migrateTo(db: Db, name: string): Promise<string[]> {
  return applied(await migrator(db).migrateTo(name));
}

function applied(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(
      `Migration ${failed?.migrationName ?? '(unknown)'} failed: ${(result.error as Error).message ?? result.error}`,
    );
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
