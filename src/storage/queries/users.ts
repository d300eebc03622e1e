import { type ExpressionBuilder, type Selectable, type SelectQueryBuilder, SqliteAdapter, sql } from 'kysely';
import type { PortalUser, RefName } from '../../core/domain/entities.js';
import {
  USER_COLUMNS,
  USER_FIELDS,
  type UserField,
  type UserState,
  type UserStatus,
  type UserValues,
} from '../../core/domain/user.js';
import type { UsernameLookup } from '../../core/domain/username.js';
import { onSqliteConnection, pgQuery, prepared, sqliteHandle } from '../bulk.js';
import type { Db } from '../database.js';
import type { Database, UsersTable } from '../schema.js';
import { attributeValues, readJson } from '../stored-json.js';
import { startsWith } from './prefix.js';
import { containsTerm, isSqlite, MIN_CONTAINS_LENGTH } from './user-search.js';

/** A user's row as stored, with its bookkeeping (writes: storage/queries/user-writes.ts). */
export interface UserRecord extends UserValues {
  id: number;
  activatedAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  importId: number | null;
  createdByImportId: number | null;
}

/** The columns of a user's values, as the model declares them, with its id. */
type ValueRow = Pick<Selectable<UsersTable>, 'id' | (typeof USER_COLUMNS)[UserField]['column']>;

/** A user's values out of its row, as the model declares its columns (core/domain/user.ts). */
function valuesOf(r: ValueRow): UserValues {
  const values: Record<string, unknown> = {};
  for (const field of USER_FIELDS) {
    const { column, kind } = USER_COLUMNS[field];
    values[field] =
      kind === 'attributes' ? readJson(r[column], attributeValues, `attributes of user ${r.id}`) : r[column];
  }
  return values as UserValues;
}

const toRecord = (r: Selectable<UsersTable>): UserRecord => ({
  ...valuesOf(r),
  id: r.id,
  activatedAt: r.activated_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: r.version,
  importId: r.import_id,
  createdByImportId: r.created_by_import_id,
});

/**
 * Users' full state (values, memberships, version) by id: what an update compares with and what a
 * restore point keeps. Users that do not exist are missing from the answer.
 */
export async function userStates(db: Db, ids: readonly number[]): Promise<Map<number, UserState>> {
  const out = new Map<number, UserState>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const part = unique.slice(i, i + 500);
    const { users, roles, groups } = await stateRows(db, part);
    const roleIds = byUser(roles.map((r) => ({ userId: r.user_id, id: r.role_id })));
    const groupIds = byUser(groups.map((g) => ({ userId: g.user_id, id: g.group_id })));
    for (const u of users) {
      out.set(u.id, {
        ...valuesOf(u),
        id: u.id,
        version: u.version,
        roleIds: roleIds.get(u.id) ?? [],
        groupIds: groupIds.get(u.id) ?? [],
      });
    }
  }
  return out;
}

type StateRows = {
  users: (ValueRow & { version: number })[];
  roles: { user_id: number; role_id: number }[];
  groups: { user_id: number; group_id: number }[];
};

// An import's check reads the state of every user a batch updates (to show each one's diff): three
// statements per 500 users, prepared once on SQLite and one round trip each on PostgreSQL (bulk.ts).
// Only the columns of the state: a whole row (keys, dates, password hash) is twice the columns to read.
const STATE_COLUMNS = ['id', 'version', ...USER_FIELDS.map((f) => USER_COLUMNS[f].column)].join(', ');
const STATE_SQLITE = {
  users: `select ${STATE_COLUMNS} from users where id in (select value from json_each(?))`,
  roles: 'select user_id, role_id from user_roles where user_id in (select value from json_each(?))',
  groups: 'select user_id, group_id from user_groups where user_id in (select value from json_each(?))',
};
const STATE_POSTGRES = {
  users: `select ${STATE_COLUMNS} from users where id = any($1::int4[])`,
  roles: 'select user_id, role_id from user_roles where user_id = any($1::int4[])',
  groups: 'select user_id, group_id from user_groups where user_id = any($1::int4[])',
};

async function stateRows(db: Db, ids: readonly number[]): Promise<StateRows> {
  const sqlite = sqliteHandle(db);
  if (sqlite) {
    const list = JSON.stringify(ids);
    return onSqliteConnection(db, () => ({
      users: prepared(sqlite, STATE_SQLITE.users).all(list) as StateRows['users'],
      roles: prepared(sqlite, STATE_SQLITE.roles).all(list) as StateRows['roles'],
      groups: prepared(sqlite, STATE_SQLITE.groups).all(list) as StateRows['groups'],
    }));
  }
  const [users, roles, groups] = await Promise.all([
    pgQuery<StateRows['users'][number]>(db, STATE_POSTGRES.users, [ids]),
    pgQuery<StateRows['roles'][number]>(db, STATE_POSTGRES.roles, [ids]),
    pgQuery<StateRows['groups'][number]>(db, STATE_POSTGRES.groups, [ids]),
  ]);
  return { users, roles, groups };
}

function byUser(pairs: readonly { userId: number; id: number }[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const p of pairs) {
    const list = out.get(p.userId);
    if (list) list.push(p.id);
    else out.set(p.userId, [p.id]);
  }
  return out;
}

/** Current versions of users, with their email to name them: what an undo checks first. */
export async function userVersions(
  db: Db,
  ids: readonly number[],
): Promise<Map<number, { version: number; email: string }>> {
  const out = new Map<number, { version: number; email: string }>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'version', 'email'])
      .where('id', 'in', unique.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.id, { version: r.version, email: r.email });
  }
  return out;
}

const HOLDERS_SQLITE =
  'select id, customer_id, email, username_key, employee_number_key from users where employee_number_key = ?';
const HOLDERS_POSTGRES =
  'select id, customer_id, email, username_key, employee_number_key from users where employee_number_key = any($1::text[])';

/** A user holding an employee number: who, to name them in a message. */
export interface EmployeeNumberHolder {
  id: number;
  customerId: number;
  email: string;
  usernameKey: string;
}

/**
 * The users holding each employee-number key (core/domain/user.ts `employeeNumberKey`), oldest
 * first: several only where earlier data shares a number, which new writes never do.
 */
export async function employeeNumberHolders(
  db: Db,
  keys: readonly string[],
): Promise<Map<string, EmployeeNumberHolder[]>> {
  const out = new Map<string, EmployeeNumberHolder[]>();
  const unique = [...new Set(keys)];
  if (unique.length === 0) return out;
  type Found = {
    id: number;
    customer_id: number;
    email: string;
    username_key: string;
    employee_number_key: string;
  };
  // One lookup per key on SQLite (prepared), one statement on PostgreSQL. Not `in (…500 values)`:
  // without statistics (a first import into an empty directory) PostgreSQL reckons such a list
  // matches every row of a column that is not unique, and scanned the whole users table each time.
  const sqlite = sqliteHandle(db);
  const rows = sqlite
    ? await onSqliteConnection(db, () => {
        const find = prepared(sqlite, HOLDERS_SQLITE);
        return unique.flatMap((k) => find.all(k) as Found[]);
      })
    : await pgQuery<Found>(db, HOLDERS_POSTGRES, [unique]);
  rows.sort((a, b) => a.id - b.id);
  for (const r of rows) {
    const list = out.get(r.employee_number_key) ?? [];
    list.push({ id: r.id, customerId: r.customer_id, email: r.email, usernameKey: r.username_key });
    out.set(r.employee_number_key, list);
  }
  return out;
}

/** Any number; it only has to be the same in every process. */
const EMPLOYEE_NUMBER_LOCK = 7_240_113;

/**
 * Makes the transactions that write employee numbers take turns until each ends, so a number
 * checked free in one cannot be written by another meanwhile (no unique index can say it: users
 * that already shared a number keep it). PostgreSQL only: SQLite runs one write transaction at a
 * time anyway. Outside a transaction there is nothing to hold.
 */
export async function holdEmployeeNumbers(db: Db): Promise<void> {
  if (!db.isTransaction || sqliteHandle(db)) return;
  await sql`select pg_advisory_xact_lock(${EMPLOYEE_NUMBER_LOCK})`.execute(db);
}

export async function findUserIdByEmailKey(db: Db, emailKey: string): Promise<number | undefined> {
  const r = await db.selectFrom('users').select('id').where('email_key', '=', emailKey).executeTakeFirst();
  return r?.id;
}

export async function findUserIdByUsernameKey(db: Db, usernameKey: string): Promise<number | undefined> {
  const r = await db
    .selectFrom('users')
    .select('id')
    .where('username_key', '=', usernameKey)
    .executeTakeFirst();
  return r?.id;
}

/** Which of `keys` some user holds as username key, and who (one statement per batch). */
export async function usernameOwners(db: Db, keys: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const unique = [...new Set(keys)];
  if (unique.length === 0) return out;
  type Found = { id: number; username_key: string };
  const sqlite = sqliteHandle(db);
  const rows = sqlite
    ? await onSqliteConnection(db, () => {
        const find = prepared(sqlite, 'select id, username_key from users where username_key = ?');
        return unique.flatMap((k) => (find.get(k) as Found | undefined) ?? []);
      })
    : await pgQuery<Found>(db, 'select id, username_key from users where username_key = any($1::text[])', [
        unique,
      ]);
  for (const r of rows) out.set(r.username_key, r.id);
  return out;
}

/** What username derivation (core/domain/username.ts) asks of the users that exist. */
export function usernameLookup(db: Db): UsernameLookup {
  return {
    takenKeys: async (keys) => new Set((await usernameOwners(db, keys)).keys()),
    keysWithPrefix: (prefix) => usernameKeysStartingWith(db, prefix),
  };
}

/** Username keys that start with `prefix`: the candidates a derived username must avoid. */
export async function usernameKeysStartingWith(db: Db, prefix: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('users')
    .select('username_key')
    .where('username_key', '>=', prefix)
    .where('username_key', '<', `${prefix}\u{10FFFF}`)
    .execute();
  return new Set(rows.map((r) => r.username_key));
}

// Reading users as the API shows them

export const USER_SORTS = {
  createdAt: 'users.created_at',
  email: 'users.email_key',
  username: 'users.username_key',
  displayName: 'users.display_name_key',
  lastName: 'users.last_name_key',
} as const;
export type UserSort = keyof typeof USER_SORTS;
/** The same columns without the table name, for the `w` alias of the window probe below. */
const SORT_COLUMNS = {
  createdAt: 'created_at',
  email: 'email_key',
  username: 'username_key',
  displayName: 'display_name_key',
  lastName: 'last_name_key',
} as const satisfies Record<UserSort, string>;

export interface UserListFilter {
  /**
   * Folded text (foldKey) that email, username, a name or the employee number contains; under
   * MIN_CONTAINS_LENGTH characters, that email, username, display name or last name starts with.
   */
  search?: string;
  status?: UserStatus[];
  customerId?: number;
  siteId?: number;
  roleId?: number;
  groupId?: number;
  importId?: number;
}

export interface UserListQuery extends UserListFilter {
  sort: UserSort;
  order: 'asc' | 'desc';
  limit: number;
  /** Keyset position: the sort value and id of the last row of the previous page. */
  after?: { value: string; id: number };
  offset?: number;
}

/**
 * The filter as a WHERE clause. `probe`: the page is looked for by walking the sort order (see
 * probeWindow), where a contains search checks each user in the index rather than collecting every
 * match first.
 */
function applyFilter<O>(
  db: Db,
  q: SelectQueryBuilder<Database, 'users', O>,
  f: UserListFilter,
  probe = false,
): SelectQueryBuilder<Database, 'users', O> {
  let out = q;
  if (f.search && f.search.length >= MIN_CONTAINS_LENGTH) {
    const term = f.search;
    const how = { sqlite: isSqlite(db), probe };
    out = out.where((eb) => containsTerm(eb, term, how));
  } else if (f.search) {
    const s = f.search;
    out = out.where((eb) =>
      eb.or(
        (
          ['users.email_key', 'users.username_key', 'users.display_name_key', 'users.last_name_key'] as const
        ).map((col) => startsWith(eb, col, s)),
      ),
    );
  }
  if (f.status && f.status.length > 0) out = out.where('users.status', 'in', f.status);
  if (f.customerId !== undefined) out = out.where('users.customer_id', '=', f.customerId);
  if (f.siteId !== undefined) out = out.where('users.site_id', '=', f.siteId);
  if (f.importId !== undefined) out = out.where('users.import_id', '=', f.importId);
  if (f.roleId !== undefined) {
    const roleId = f.roleId;
    out = out.where((eb: ExpressionBuilder<Database, 'users'>) =>
      eb.exists(
        eb
          .selectFrom('user_roles')
          .select('user_roles.user_id')
          .whereRef('user_roles.user_id', '=', 'users.id')
          .where('user_roles.role_id', '=', roleId),
      ),
    );
  }
  if (f.groupId !== undefined) {
    const groupId = f.groupId;
    out = out.where((eb: ExpressionBuilder<Database, 'users'>) =>
      eb.exists(
        eb
          .selectFrom('user_groups')
          .select('user_groups.user_id')
          .whereRef('user_groups.user_id', '=', 'users.id')
          .where('user_groups.group_id', '=', groupId),
      ),
    );
  }
  return out;
}

/** Past this many matches a contains search's count stops and says "at least". */
const CONTAINS_COUNT_LIMIT = 10_000;

/**
 * The number of matching users. A contains search counts up to CONTAINS_COUNT_LIMIT + 1 (`exact`
 * false past it): a broad term (a domain) matches hundreds of thousands of users, and counting them
 * all through the trigram index costs more than a second where the page itself costs milliseconds.
 */
export async function countUsers(db: Db, filter: UserListFilter): Promise<{ n: number; exact: boolean }> {
  if ((filter.search?.length ?? 0) >= MIN_CONTAINS_LENGTH) {
    const capped = applyFilter(db, db.selectFrom('users'), filter)
      .select('users.id')
      .limit(CONTAINS_COUNT_LIMIT + 1)
      .as('m');
    const r = await db
      .selectFrom(capped)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const n = Number(r.n);
    return { n, exact: n <= CONTAINS_COUNT_LIMIT };
  }
  const r = await (
    countMembershipOnly(db, filter) ??
    applyFilter(db, db.selectFrom('users'), filter).select((eb) => eb.fn.countAll<number>().as('n'))
  ).executeTakeFirstOrThrow();
  return { n: Number(r.n), exact: true };
}

/**
 * A filter on one role or one group and nothing else is counted on the membership table alone. The
 * primary key (user_id, role_id) makes each user count once, and the foreign key to users (on delete
 * cascade) makes each row a user, so the number is the same as counting users; but it comes from
 * the (role_id, user_id) index without reading one users row (for a role held by 80,000 of a million
 * users: 2 ms instead of 190 ms on SQLite, 5 ms instead of 65 ms on PostgreSQL).
 */
function countMembershipOnly(db: Db, f: UserListFilter) {
  const other =
    !!f.search ||
    (f.status?.length ?? 0) > 0 ||
    f.customerId !== undefined ||
    f.siteId !== undefined ||
    f.importId !== undefined;
  if (other || (f.roleId === undefined) === (f.groupId === undefined)) return null;
  if (f.roleId !== undefined) {
    return db
      .selectFrom('user_roles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_roles.role_id', '=', f.roleId);
  }
  return db
    .selectFrom('user_groups')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_groups.group_id', '=', f.groupId!);
}

/** Ids of the users matching `filter`, in id order after `after`: a selection walked page by page. */
export async function matchingUserIds(
  db: Db,
  filter: UserListFilter,
  after: number,
  limit: number,
): Promise<number[]> {
  const rows = await applyFilter(db, db.selectFrom('users').select('users.id'), filter)
    .where('users.id', '>', after)
    .orderBy('users.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export interface UserListRow {
  user: PortalUser;
  sortValue: string;
}

export async function listUsers(db: Db, query: UserListQuery): Promise<UserListRow[]> {
  const window = probeWindow(db, query);
  let rows = window === null ? null : await pageQuery(db, query, window).execute();
  // Less than a page in the window proves nothing: ask the whole table.
  if (rows === null || rows.length < query.limit) rows = await pageQuery(db, query, null).execute();
  const found = rows;
  const users = await attachMemberships(db, found);
  return users.map((user, i) => ({ user, sortValue: String(sortValueOf(found[i]!, query.sort)) }));
}

/**
 * One page, with its rows and their customer and site names.
 *
 * - `window`: look only among the first `window` users in sort order after the cursor, filters
 *   aside (see probeWindow).
 * - Offset paging skips rows on ids alone, in a subquery that joins nothing and reads only what
 *   the sort index holds; then only the page's rows are read and joined. Skipping 100,000 users
 *   takes 1 ms on SQLite that way, against 30 ms reading and joining each skipped row.
 */
function pageQuery(db: Db, query: UserListQuery, window: number | null) {
  const col = USER_SORTS[query.sort];
  if (window === null && query.offset) {
    const ids = afterCursor(applyFilter(db, db.selectFrom('users').select('users.id'), query), query)
      .orderBy(col, query.order)
      .orderBy('users.id', query.order)
      .limit(query.limit)
      .offset(query.offset);
    return baseUserSelect(db)
      .where('users.id', 'in', ids)
      .orderBy(col, query.order)
      .orderBy('users.id', query.order);
  }
  let q = afterCursor(applyFilter(db, baseUserSelect(db), query, window !== null), query);
  if (window !== null) {
    const c = SORT_COLUMNS[query.sort];
    let ids = db.selectFrom('users as w').select('w.id');
    if (query.after) {
      const { value, id } = query.after;
      ids = ids.where((eb) =>
        eb(eb.refTuple(`w.${c}`, 'w.id'), query.order === 'asc' ? '>' : '<', eb.tuple(value, id)),
      );
    }
    q = q.where(
      'users.id',
      'in',
      ids.orderBy(`w.${c}`, query.order).orderBy('w.id', query.order).limit(window),
    );
  }
  q = q.orderBy(col, query.order).orderBy('users.id', query.order).limit(query.limit);
  return query.offset ? q.offset(query.offset) : q;
}

function afterCursor<O>(
  q: SelectQueryBuilder<Database, 'users', O>,
  query: UserListQuery,
): SelectQueryBuilder<Database, 'users', O> {
  if (!query.after) return q;
  const { value, id } = query.after;
  const col = USER_SORTS[query.sort];
  return q.where((eb) =>
    eb(eb.refTuple(col, 'users.id'), query.order === 'asc' ? '>' : '<', eb.tuple(value, id)),
  );
}

/**
 * SQLite's planner does not weigh LIMIT. Given a filter that has an index (status, customer, site,
 * a search prefix) and an order that index does not give, it reads every match through that index
 * and sorts them all: 200,000 pending users to show the first 50 by email (100 ms), where walking
 * the email index and skipping the others stops after a few hundred rows. So on SQLite a page is
 * first looked for among the next `window` users in sort order, filters aside (a short walk of the
 * sort index). Every matching row that sorts before the window's end is inside it, so a full page
 * found there is the page. When less than a page matches (a rare filter, or matches clustered
 * elsewhere in the order, as a search's are) the normal query runs, and for such filters the
 * planner's choice is the right one. PostgreSQL costs LIMIT and finds both plans itself.
 */
function probeWindow(db: Db, query: UserListQuery): number | null {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return null;
  const status = (query.status?.length ?? 0) > 0;
  const customer = query.customerId !== undefined;
  const site = query.siteId !== undefined;
  const search = !!query.search;
  const contains = (query.search?.length ?? 0) >= MIN_CONTAINS_LENGTH;
  if (!(status || customer || site || search)) return null;
  // A contains search is found through its index only by collecting every match first: a broad
  // one (a domain shared by a third of all users) costs far more than walking a few thousand users.
  const window = Math.max(2_000, 20 * ((query.offset ?? 0) + query.limit));
  if (contains) return window <= 20_000 ? window : null;
  // Cases SQLite already gets right: its status and customer indexes end in (created_at, id), so
  // they give the default order; and a search alone in that order is either broad (it then walks
  // created_at) or narrow (few matches to sort).
  if (query.sort === 'createdAt' && !site && !(search && (status || customer))) return null;
  return window <= 20_000 ? window : null;
}

function sortValueOf(r: BaseRow, sort: UserSort): string {
  switch (sort) {
    case 'createdAt':
      return r.created_at;
    case 'email':
      return r.email_key;
    case 'username':
      return r.username_key;
    case 'displayName':
      return r.display_name_key;
    case 'lastName':
      return r.last_name_key;
  }
}

function baseUserSelect(db: Db) {
  return db
    .selectFrom('users')
    .innerJoin('customers', 'customers.id', 'users.customer_id')
    .innerJoin('sites', 'sites.id', 'users.site_id')
    .selectAll('users')
    .select(['customers.name as customer_name', 'sites.name as site_name']);
}

type BaseRow = Selectable<UsersTable> & { customer_name: string; site_name: string };

async function attachMemberships(db: Db, rows: BaseRow[]): Promise<PortalUser[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const roles = await db
    .selectFrom('user_roles')
    .innerJoin('portal_roles', 'portal_roles.id', 'user_roles.role_id')
    .select(['user_roles.user_id', 'portal_roles.id', 'portal_roles.name'])
    .where('user_roles.user_id', 'in', ids)
    .orderBy('portal_roles.name')
    .execute();
  const groups = await db
    .selectFrom('user_groups')
    .innerJoin('groups', 'groups.id', 'user_groups.group_id')
    .select(['user_groups.user_id', 'groups.id', 'groups.name'])
    .where('user_groups.user_id', 'in', ids)
    .orderBy('groups.name')
    .execute();
  const byUser = (list: { user_id: number; id: number; name: string }[]) => {
    const map = new Map<number, RefName[]>();
    for (const x of list) {
      const entry = map.get(x.user_id) ?? [];
      entry.push({ id: x.id, name: x.name });
      map.set(x.user_id, entry);
    }
    return map;
  };
  const roleMap = byUser(roles);
  const groupMap = byUser(groups);
  return rows.map((r) => {
    const { customerId, siteId, ...rest } = toRecord(r);
    return {
      ...rest,
      customer: { id: customerId, name: r.customer_name },
      site: { id: siteId, name: r.site_name },
      roles: roleMap.get(r.id) ?? [],
      groups: groupMap.get(r.id) ?? [],
    };
  });
}

export async function findUser(db: Db, id: number): Promise<PortalUser | undefined> {
  const rows = await baseUserSelect(db).where('users.id', '=', id).execute();
  const [user] = await attachMemberships(db, rows);
  return user;
}
