import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { hasFileChunks, insertFileChunk, readFileChunks } from '../../storage/queries/import-files.js';
import type { AppContext } from '../context.js';
import { makeTempDir } from '../temp-files.js';

/**
 * Where an import's original file is kept. The embedded default keeps it in
 * `<DATA_DIR>/imports/<id>/`; with PostgreSQL it is kept in the database (`import_files`, in
 * chunks), so that web and worker processes share nothing but the database.
 */
export interface OriginalFiles {
  /** Keeps a copy of the uploaded file (read as a stream; memory stays one chunk). */
  keep(importId: number, format: string, from: string): Promise<void>;
  /** The kept file as a stream, or null when there is none. */
  open(importId: number, format: string): Promise<Readable | null>;
  /** Removes what `keep` wrote (the database's chunks also go with their import). */
  remove(importId: number): void;
}

const CHUNK_BYTES = 1 << 20;

export function originalFiles(ctx: AppContext): OriginalFiles {
  return ctx.storage.dialect === 'postgres' ? databaseFiles(ctx) : folderFiles(ctx);
}

function folderFiles(ctx: AppContext): OriginalFiles {
  const dir = (importId: number) => path.join(ctx.config.dataDir, 'imports', String(importId));
  const file = (importId: number, format: string) => path.join(dir(importId), `original.${format}`);
  return {
    async keep(importId, format, from) {
      fs.mkdirSync(dir(importId), { recursive: true });
      await fs.promises.copyFile(from, file(importId, format));
    },
    async open(importId, format) {
      const p = file(importId, format);
      return fs.existsSync(p) ? fs.createReadStream(p) : null;
    },
    remove(importId) {
      fs.rmSync(dir(importId), { recursive: true, force: true });
    },
  };
}

function databaseFiles(ctx: AppContext): OriginalFiles {
  return {
    async keep(importId, _format, from) {
      let seq = 0;
      for await (const chunk of fs.createReadStream(from, { highWaterMark: CHUNK_BYTES })) {
        await insertFileChunk(ctx.db, importId, ++seq, chunk as Buffer);
      }
    },
    async open(importId) {
      if (!(await hasFileChunks(ctx.db, importId))) return null;
      // Read a few chunks at a time, as the client takes them.
      async function* chunks() {
        let after = 0;
        for (;;) {
          const page = await readFileChunks(ctx.db, importId, after, 4);
          if (page.length === 0) return;
          for (const c of page) yield c.data;
          after = page[page.length - 1]!.seq;
        }
      }
      return Readable.from(chunks());
    },
    remove() {
      // The chunks are deleted with their import (on delete cascade).
    },
  };
}

/** A folder for a file made for one download (result files), outside DATA_DIR. */
export function downloadPath(importId: number, name: string): string {
  const dir = makeTempDir(`download-${importId}`);
  return path.join(dir, name);
}

export async function fileDigest(filePath: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(filePath)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}
