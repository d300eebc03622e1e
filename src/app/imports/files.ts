import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../context.js';

/**
 * Where an import's files live: `<DATA_DIR>/imports/<id>/`. With several processes (scale-out),
 * DATA_DIR must be a shared folder.
 */
export function importDir(ctx: AppContext, importId: number): string {
  return path.join(ctx.config.dataDir, 'imports', String(importId));
}

export function originalPath(ctx: AppContext, importId: number, format: string): string {
  return path.join(importDir(ctx, importId), `original.${format === 'csv' ? 'csv' : format}`);
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

export function keepOriginal(ctx: AppContext, importId: number, format: string, from: string): string {
  const to = originalPath(ctx, importId, format);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  return to;
}

export function removeImportFiles(ctx: AppContext, importId: number): void {
  fs.rmSync(importDir(ctx, importId), { recursive: true, force: true });
}
