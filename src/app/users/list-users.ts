import { type Actor, authorize } from '../../core/access/policy.js';
import { MAX_ID, type Page, type PortalUser } from '../../core/domain/entities.js';
import { foldKey } from '../../core/domain/text.js';
import type { UserStatus } from '../../core/domain/user.js';
import { errors } from '../../core/errors.js';
import * as q from '../../storage/queries/users.js';
import type { AppContext } from '../context.js';
import { visibleCustomer } from '../customers.js';
import { decodeCursor, encodeCursor } from '../shared.js';

/** Which users: the filters of the list, shared by its export and bulk actions. */
export interface UserSelection {
  /** Folded and matched as contained (3 characters or more) or as a prefix (fewer). */
  search?: string;
  status?: UserStatus[];
  customerId?: number;
  siteId?: number;
  roleId?: number;
  groupId?: number;
  importId?: number;
}

export interface ListUsersQuery extends UserSelection {
  sort?: q.UserSort;
  order?: 'asc' | 'desc';
  limit?: number;
  /** Keyset paging: fast at any depth. */
  cursor?: string;
  /** Offset paging, for page numbers; slower deep into a million rows. */
  offset?: number;
}

/**
 * A page of users. `totalExact` is false when a contains search matched more users than it counts
 * (storage's CONTAINS_COUNT_LIMIT): `total` then says "at least".
 */
export interface UserPage extends Page<PortalUser> {
  totalExact: boolean;
}

/**
 * Lists users the actor may see. Paging is keyset (`cursor`) for any depth, or by offset for page
 * numbers; the total counts every matching user.
 */
export async function listUsers(ctx: AppContext, actor: Actor, query: ListUsersQuery): Promise<UserPage> {
  authorize(actor, 'directory.read');
  const limit = query.limit ?? 50;
  const sort = query.sort ?? 'createdAt';
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (after === null || (after !== undefined && !fitsSort(after, sort))) {
    throw errors.field(
      'request.invalid',
      'query.cursor',
      'The cursor is not one this server gave out; start again from the first page.',
      { problem: 'cursor.unknown' },
    );
  }
  const filter = await userFilterFor(ctx, actor, query);
  const order = query.order ?? (sort === 'createdAt' ? 'desc' : 'asc');
  const [rows, total] = await Promise.all([
    q.listUsers(ctx.db, {
      ...filter,
      sort,
      order,
      limit: limit + 1,
      ...(after && { after }),
      ...(query.offset && !after && { offset: query.offset }),
    }),
    q.countUsers(ctx.db, filter),
  ]);
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => r.user),
    total: total.n,
    totalExact: total.exact,
    nextCursor: more && last ? encodeCursor(last.sortValue, last.user.id) : null,
  };
}

/** What a list query selects, as storage's filter: within the actor's customer, whatever was asked. */
export async function userFilterFor(
  ctx: AppContext,
  actor: Actor,
  query: UserSelection,
): Promise<q.UserListFilter> {
  if (query.customerId !== undefined) await visibleCustomer(ctx, actor, query.customerId);
  const search = query.search === undefined ? '' : foldKey(query.search);
  return {
    ...(search !== '' && { search }),
    ...(query.status && query.status.length > 0 && { status: query.status }),
    ...((actor.customerId ?? query.customerId) !== undefined && {
      customerId: actor.customerId ?? query.customerId,
    }),
    ...(query.siteId !== undefined && { siteId: query.siteId }),
    ...(query.roleId !== undefined && { roleId: query.roleId }),
    ...(query.groupId !== undefined && { groupId: query.groupId }),
    ...(query.importId !== undefined && { importId: query.importId }),
  };
}

/**
 * Whether a decoded cursor could have come from a page sorted this way: an id that can exist and,
 * for the creation date, a timestamp as the server writes it. Anything else would reach the
 * database as a value of the wrong type.
 */
function fitsSort(after: { value: string; id: number }, sort: q.UserSort): boolean {
  if (!Number.isSafeInteger(after.id) || after.id < 1 || after.id > MAX_ID) return false;
  if (sort !== 'createdAt') return true;
  const at = new Date(after.value);
  return !Number.isNaN(at.getTime()) && at.toISOString() === after.value;
}
