import type { Insertable } from 'kysely';
import { emailKey } from '../../core/domain/email.js';
import {
  employeeNumberKey,
  type NewUser,
  nameKey,
  USER_COLUMNS,
  USER_FIELDS,
  type UserField,
  type UserState,
  type UserValues,
} from '../../core/domain/user.js';
import { usernameKey } from '../../core/domain/username.js';
import type { DeletedUser } from '../../core/import/targets/user-actions.js';
import { columnsOf, onSqliteConnection, pgQuery, prepared, sqliteHandle } from '../bulk.js';
import type { Db } from '../database.js';
import type { UsersTable } from '../schema.js';

/**
 * The one writer of users: every path that creates, changes or restores a user (the API, an
 * import's batches, a rollback) writes through the column list below, so a column and its lookup
 * key are written the same way everywhere. Single writes go through Kysely; an import's batches
 * through prepared statements (SQLite) or one `unnest` statement (PostgreSQL), see storage/bulk.ts.
 */
interface Column {
  name: keyof UsersTable & string;
  /** The value a column's content comes from: a change that leaves it alone leaves the column. */
  from: UserField;
  /** The PostgreSQL array type of its `unnest` parameter. */
  pg: 'text' | 'int4';
  value(u: UserValues): string | number | null;
}

// Every column the model declares holds its value as it is (JSON for attributes); one the schema
// lacks fails the type-check here (`name`)…
const VALUE_COLUMNS: readonly Column[] = USER_FIELDS.map((from) => {
  const { column, kind } = USER_COLUMNS[from];
  return {
    name: column,
    from,
    pg: kind === 'id' || kind === 'optionalId' ? 'int4' : 'text',
    value: kind === 'attributes' ? (u) => JSON.stringify(u[from]) : (u) => u[from] as string | number | null,
  };
});

// …and the lookup keys are derived here, and nowhere else.
const KEY_COLUMNS: readonly Column[] = [
  { name: 'email_key', from: 'email', pg: 'text', value: (u) => emailKey(u.email) },
  { name: 'username_key', from: 'username', pg: 'text', value: (u) => usernameKey(u.username) },
  { name: 'last_name_key', from: 'lastName', pg: 'text', value: (u) => nameKey(u.lastName) },
  { name: 'display_name_key', from: 'displayName', pg: 'text', value: (u) => nameKey(u.displayName) },
  {
    name: 'employee_number_key',
    from: 'employeeNumber',
    pg: 'text',
    value: (u) => (u.employeeNumber === null ? null : employeeNumberKey(u.employeeNumber)),
  },
];

const COLUMNS: readonly Column[] = [...VALUE_COLUMNS, ...KEY_COLUMNS];

/** The columns of `patch` (those whose source value it holds), with their values. */
function columnsOfPatch(patch: Partial<UserValues>): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const c of COLUMNS) if (patch[c.from] !== undefined) out[c.name] = c.value(patch as UserValues);
  return out;
}

const rowValues = (u: UserValues) => COLUMNS.map((c) => c.value(u));

/** Creates one user (by hand or through the API) with its memberships; answers its id. */
export async function insertUser(db: Db, u: NewUser, at: string): Promise<number> {
  const row = {
    ...columnsOfPatch(u),
    created_at: at,
    updated_at: at,
    version: 1,
  } as Insertable<UsersTable>;
  const { id } = await db.insertInto('users').values(row).returning('id').executeTakeFirstOrThrow();
  await writeMemberships(db, [{ id, roleIds: u.roleIds, groupIds: u.groupIds }]);
  return id;
}

/**
 * Changes what `patch` names of one user, and its memberships when given; the version goes up by
 * one, so an import's undo sees that someone changed it since.
 */
export async function updateUser(db: Db, id: number, patch: Partial<NewUser>, at: string): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({ ...columnsOfPatch(patch), updated_at: at, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .execute();
  if (patch.roleIds !== undefined || patch.groupIds !== undefined) {
    await writeMemberships(db, [
      {
        id,
        ...(patch.roleIds && { roleIds: patch.roleIds }),
        ...(patch.groupIds && { groupIds: patch.groupIds }),
      },
    ]);
  }
}

/**
 * Creates a batch of an import's users in the caller's transaction. A user whose email or username
 * another change took meanwhile is left out (on conflict do nothing); answers the ids of those
 * created, by email key.
 */
export async function insertUsers(db: Db, users: readonly NewUser[], importId: number, at: string) {
  const created = new Map<string, number>();
  if (users.length === 0) return created;
  const sqlite = sqliteHandle(db);
  let links: { id: number; u: NewUser }[];
  if (sqlite) {
    // A row that went in has its id as the last rowid (`returning id` would cost as much again).
    links = await onSqliteConnection(db, () => {
      const insert = prepared(sqlite, INSERT_SQLITE);
      const out: { id: number; u: NewUser }[] = [];
      for (const u of users) {
        const done = insert.run(...rowValues(u), at, at, importId, importId);
        if (done.changes === 1) out.push({ id: Number(done.lastInsertRowid), u });
      }
      return out;
    });
  } else {
    const rows = await pgQuery<{ id: number; email_key: string }>(db, INSERT_POSTGRES, [
      ...columnsOf(users, PICKS),
      at,
      importId,
    ]);
    const ids = new Map(rows.map((r) => [r.email_key, r.id]));
    links = users.flatMap((u) => {
      const id = ids.get(emailKey(u.email));
      return id === undefined ? [] : [{ id, u }];
    });
  }
  for (const { id, u } of links) created.set(emailKey(u.email), id);
  await writeMemberships(
    db,
    links.map(({ id, u }) => ({ id, roleIds: u.roleIds, groupIds: u.groupIds })),
    'added',
  );
  return created;
}

/**
 * Writes users in full over their state before (an import's updates, with `importId`; a
 * rollback's restores, without): each goes to the version after the one it had.
 */
export async function writeUsers(
  db: Db,
  changes: readonly { before: Pick<UserState, 'id' | 'version'>; after: NewUser }[],
  importId: number | null,
  at: string,
): Promise<void> {
  if (changes.length === 0) return;
  const sqlite = sqliteHandle(db);
  if (sqlite) {
    await onSqliteConnection(db, () => {
      const update = prepared(sqlite, UPDATE_SQLITE);
      for (const { before, after } of changes) {
        update.run(...rowValues(after), at, before.version + 1, importId, before.id);
      }
    });
  } else {
    await pgQuery(db, UPDATE_POSTGRES, [
      ...columnsOf(
        changes.map((c) => c.after),
        PICKS,
      ),
      changes.map((c) => c.before.version + 1),
      changes.map((c) => c.before.id),
      at,
      importId,
    ]);
  }
  await writeMemberships(
    db,
    changes.map(({ before, after }) => ({ id: before.id, roleIds: after.roleIds, groupIds: after.groupIds })),
  );
}

/** Deletes users (what an import created, undone); their memberships go with them. */
export async function deleteUsers(db: Db, ids: readonly number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await db
      .deleteFrom('users')
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
  }
}

/**
 * Inserts deleted users again under their own ids (a rollback of an import's delete): the model's
 * columns and the row's own (password hash, dates, imports), then their memberships. A user whose
 * id, email or username is held by another user now is left out; answers the ids put back.
 */
export async function reinsertUsers(db: Db, users: readonly DeletedUser[]): Promise<Set<number>> {
  const back = new Set<number>();
  for (const u of users) {
    const taken = await db
      .selectFrom('users')
      .select('id')
      .where((eb) =>
        eb.or([
          eb('id', '=', u.id),
          eb('email_key', '=', emailKey(u.email)),
          eb('username_key', '=', usernameKey(u.username)),
        ]),
      )
      .executeTakeFirst();
    if (taken) continue;
    const row = {
      ...columnsOfPatch(u),
      id: u.id,
      password_hash: u.row.passwordHash,
      activated_at: u.row.activatedAt,
      created_at: u.row.createdAt,
      updated_at: u.row.updatedAt,
      // Back at the version it had when deleted, so that an older import's undo still knows it.
      version: u.version,
      import_id: u.row.importId,
      created_by_import_id: u.row.createdByImportId,
    } as Insertable<UsersTable>;
    await db.insertInto('users').values(row).execute();
    back.add(u.id);
  }
  await writeMemberships(
    db,
    users.filter((u) => back.has(u.id)).map((u) => ({ id: u.id, roleIds: u.roleIds, groupIds: u.groupIds })),
    'added',
  );
  return back;
}

/**
 * Sets users' roles and groups, each list only when given. `replaced` (the default) removes what
 * they had first; `added` is for users just created, who have none yet.
 */
export async function writeMemberships(
  db: Db,
  users: readonly { id: number; roleIds?: readonly number[]; groupIds?: readonly number[] }[],
  mode: 'replaced' | 'added' = 'replaced',
): Promise<void> {
  if (users.length === 0) return;
  const pairs = (list: 'roleIds' | 'groupIds') => {
    const owners: number[] = [];
    const ids: number[] = [];
    for (const u of users) {
      for (const id of new Set(u[list] ?? [])) {
        owners.push(u.id);
        ids.push(id);
      }
    }
    return { replaced: users.filter((u) => u[list] !== undefined).map((u) => u.id), owners, ids };
  };
  for (const [list, table, column] of [
    ['roleIds', 'user_roles', 'role_id'],
    ['groupIds', 'user_groups', 'group_id'],
  ] as const) {
    const { replaced, owners, ids } = pairs(list);
    const sqlite = sqliteHandle(db);
    if (sqlite) {
      await onSqliteConnection(db, () => {
        if (mode === 'replaced') {
          const clear = prepared(sqlite, `delete from ${table} where user_id = ?`);
          for (const id of replaced) clear.run(id);
        }
        const add = prepared(sqlite, `insert into ${table} (user_id, ${column}) values (?, ?)`);
        for (let i = 0; i < owners.length; i++) add.run(owners[i], ids[i]);
      });
      continue;
    }
    if (mode === 'replaced' && replaced.length > 0)
      await pgQuery(db, `delete from ${table} where user_id = any($1::int4[])`, [replaced]);
    if (owners.length > 0) {
      await pgQuery(
        db,
        `insert into ${table} (user_id, ${column}) select * from unnest($1::int4[], $2::int4[])`,
        [owners, ids],
      );
    }
  }
}

const NAMES = COLUMNS.map((c) => c.name);
const PICKS = COLUMNS.map((c) => c.value);
const N = COLUMNS.length;
const INSERT_SQLITE =
  `insert into users (${NAMES.join(', ')}, created_at, updated_at, version, import_id, created_by_import_id) ` +
  `values (${NAMES.map(() => '?').join(', ')}, ?, ?, 1, ?, ?) on conflict do nothing`;
const INSERT_POSTGRES =
  `insert into users (${NAMES.join(', ')}, created_at, updated_at, version, import_id, created_by_import_id) ` +
  `select u.*, $${N + 1}::timestamptz, $${N + 1}::timestamptz, 1, $${N + 2}::int4, $${N + 2}::int4 ` +
  `from unnest(${COLUMNS.map((c, i) => `$${i + 1}::${c.pg}[]`).join(', ')}) as u ` +
  'on conflict do nothing returning id, email_key';
// An update by an import names it the user's last import; a restore (null) leaves that as it is.
const UPDATE_SQLITE =
  `update users set ${NAMES.map((c) => `${c} = ?`).join(', ')}, updated_at = ?, version = ?, ` +
  'import_id = coalesce(?, import_id) where id = ?';
const UPDATE_POSTGRES =
  `update users set ${NAMES.map((c) => `${c} = v.${c}`).join(', ')}, updated_at = $${N + 3}::timestamptz, ` +
  `version = v.version, import_id = coalesce($${N + 4}::int4, users.import_id) ` +
  `from unnest(${COLUMNS.map((c, i) => `$${i + 1}::${c.pg}[]`).join(', ')}, $${N + 1}::int4[], $${N + 2}::int4[]) ` +
  `as v(${NAMES.join(', ')}, version, id) where users.id = v.id`;
