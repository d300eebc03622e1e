import type { Db } from '../database.js';

/** One chunk of an import's original file. */
export async function insertFileChunk(db: Db, importId: number, seq: number, data: Buffer): Promise<void> {
  await db.insertInto('import_files').values({ import_id: importId, seq, data }).execute();
}

/** The chunks after `afterSeq`, in order, a few at a time (each is up to a megabyte). */
export async function readFileChunks(
  db: Db,
  importId: number,
  afterSeq: number,
  limit: number,
): Promise<{ seq: number; data: Buffer }[]> {
  const rows = await db
    .selectFrom('import_files')
    .select(['seq', 'data'])
    .where('import_id', '=', importId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ seq: r.seq, data: Buffer.from(r.data) }));
}

export async function hasFileChunks(db: Db, importId: number): Promise<boolean> {
  const r = await db
    .selectFrom('import_files')
    .select('seq')
    .where('import_id', '=', importId)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}
