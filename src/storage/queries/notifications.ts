import type { Db } from '../database.js';

export interface Notification {
  id: number;
  kind: string;
  title: string;
  body: string;
  importId: number | null;
  createdAt: string;
  readAt: string | null;
}

export async function insertNotification(
  db: Db,
  v: { adminId: number; kind: string; title: string; body: string; importId: number | null },
  at: string,
): Promise<void> {
  await db
    .insertInto('notifications')
    .values({
      admin_id: v.adminId,
      kind: v.kind,
      title: v.title,
      body: v.body,
      import_id: v.importId,
      created_at: at,
    })
    .execute();
}

export async function listNotifications(db: Db, adminId: number, limit: number): Promise<Notification[]> {
  const rows = await db
    .selectFrom('notifications')
    .selectAll()
    .where('admin_id', '=', adminId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    title: r.title,
    body: r.body,
    importId: r.import_id,
    createdAt: r.created_at,
    readAt: r.read_at,
  }));
}

export async function countUnread(db: Db, adminId: number): Promise<number> {
  const r = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('admin_id', '=', adminId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function markRead(
  db: Db,
  adminId: number,
  ids: readonly number[] | 'all',
  at: string,
): Promise<void> {
  let q = db
    .updateTable('notifications')
    .set({ read_at: at })
    .where('admin_id', '=', adminId)
    .where('read_at', 'is', null);
  if (ids !== 'all') {
    if (ids.length === 0) return;
    q = q.where('id', 'in', ids);
  }
  await q.execute();
}
