import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Roster's temporary files (uploads on their way in, templates on their way out) live in the
 * system's temporary folder under one recognisable prefix with the owning process's id:
 * `roster-tmp-<pid>-<kind>-<random>`. A process that crashes leaves them behind; the next
 * `roster serve` sweeps them at start (sweepStaleTemp).
 */
export const TEMP_PREFIX = 'roster-tmp-';
const OWNED = /^roster-tmp-(\d+)-/;
/** Names of earlier versions, without an owner: removed once old. */
const LEGACY = /^roster-(upload|template)-/;
export const STALE_TEMP_MS = 60 * 60_000;

/** A new temporary folder of this process. */
export function makeTempDir(kind: string, dir = os.tmpdir()): string {
  return fs.mkdtempSync(path.join(dir, `${TEMP_PREFIX}${process.pid}-${kind}-`));
}

/** A new temporary file name of this process (the file is not created). */
export function tempFilePath(kind: string, extension: string, dir = os.tmpdir()): string {
  return path.join(
    dir,
    `${TEMP_PREFIX}${process.pid}-${kind}-${randomBytes(8).toString('hex')}.${extension}`,
  );
}

/**
 * Removes Roster's temporary files and folders that no running process needs: those whose owner
 * is no longer running, those of this process's id (run at start: they belong to an earlier
 * process that had the same id, as in a restarted container), and any older than an hour (no
 * upload or download takes that long; a file still open keeps working once removed). Nothing else
 * in the folder is touched. Answers the names removed.
 */
export function sweepStaleTemp(options: { dir?: string; now?: number; maxAgeMs?: number } = {}): string[] {
  const dir = options.dir ?? os.tmpdir();
  const now = options.now ?? Date.now();
  const maxAgeMs = options.maxAgeMs ?? STALE_TEMP_MS;
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const owner = OWNED.exec(name);
    if (!owner && !LEGACY.test(name)) continue;
    const full = path.join(dir, name);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(full);
    } catch {
      continue; // gone meanwhile
    }
    const old = now - stat.mtimeMs > maxAgeMs;
    const pid = owner ? Number(owner[1]) : null;
    const orphaned = pid !== null && (pid === process.pid || !isRunning(pid));
    if (!old && !orphaned) continue;
    fs.rmSync(full, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
