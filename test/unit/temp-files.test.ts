import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, sweepStaleTemp, TEMP_PREFIX, tempFilePath } from '../../src/app/temp-files.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-sweep-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The id of a process that has ended. */
function endedPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

function entry(name: string, ageMs = 0, folder = true): string {
  const full = path.join(dir, name);
  if (folder) {
    fs.mkdirSync(full);
    fs.writeFileSync(path.join(full, 'upload'), 'email\nx@example.com\n');
  } else fs.writeFileSync(full, 'x');
  const at = new Date(Date.now() - ageMs);
  fs.utimesSync(full, at, at);
  return name;
}

describe('temporary files swept at start', () => {
  it("removes Roster's own leftovers of ended processes, of this process id and older than an hour, and nothing else", () => {
    const hour = 60 * 60_000;
    const alive = process.ppid; // the test runner: running, not this process
    const ended = endedPid();
    const gone = [
      entry(`${TEMP_PREFIX}${ended}-upload-aaaaaa`),
      entry(`${TEMP_PREFIX}${ended}-template-bbbb.csv`, 0, false),
      entry(`${TEMP_PREFIX}${process.pid}-upload-cccccc`),
      entry(`${TEMP_PREFIX}${alive}-upload-dddddd`, hour + 60_000),
      entry('roster-upload-eeeeee', 2 * hour),
      entry('roster-template-ffff.xlsx', 2 * hour, false),
    ];
    const kept = [
      entry(`${TEMP_PREFIX}${alive}-upload-gggggg`),
      entry('roster-upload-hhhhhh'),
      entry('roster-test-iiiiii', 5 * hour),
      entry('someone-elses-file', 5 * hour, false),
    ];
    expect(sweepStaleTemp({ dir }).sort()).toEqual(gone.sort());
    expect(fs.readdirSync(dir).sort()).toEqual(kept.sort());
  });

  it("names this process's folders and files with the prefix and its id", () => {
    const folder = makeTempDir('upload', dir);
    expect(path.basename(folder)).toMatch(new RegExp(`^${TEMP_PREFIX}${process.pid}-upload-`));
    expect(path.basename(tempFilePath('template', 'csv', dir))).toMatch(
      new RegExp(`^${TEMP_PREFIX}${process.pid}-template-[0-9a-f]{16}\\.csv$`),
    );
  });
});
