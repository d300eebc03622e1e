// Lists the exports of src/ that nothing uses (no file of src, test, bench, scripts or the console
// in web/, nor their own file), by the compiler's own name resolution: in a copy of the tree every
// `export` of a declaration in src/ is dropped, the copy is type-checked, and each export some other
// file asks for shows up in an error naming it. Exits 1 when any export is used by nothing.
// `node scripts/unused-exports.mjs [--all]` (--all: also those used only in their own file).
// About 30 s: it type-checks the tree twice, so it is not part of `npm run lint`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
/** Kept: the migrator reads every migration's `up` and `down` through its module. */
const SKIPPED = [/^src\/storage\/migrations\//, /^src\/cli\/main\.ts$/];
const DECLARATION =
  /^export (?:declare )?((?:async )?function\*?|const|let|class|abstract class|interface|type|enum) ([A-Za-z_$][\w$]*)/;

const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-unused-exports-'));
try {
  for (const part of [
    'src',
    'test',
    'bench',
    'scripts',
    'web/src',
    'web/vite.config.ts',
    'tsconfig.json',
    'web/tsconfig.json',
    'package.json',
  ])
    fs.cpSync(path.join(root, part), path.join(copy, part), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));

  const exported = new Map(); // "src/file.ts#name" → line
  for (const entry of fs.readdirSync(path.join(copy, 'src'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const rel = path.relative(copy, file);
    if (SKIPPED.some((re) => re.test(rel))) continue;
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const m = DECLARATION.exec(line);
      if (!m) return;
      exported.set(`${rel}#${m[2]}`, i + 1);
      lines[i] = line.slice('export '.length);
    });
    fs.writeFileSync(file, lines.join('\n'));
  }

  const asked = new Set();
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  for (const project of ['tsconfig.json', 'web/tsconfig.json']) {
    const r = spawnSync(process.execPath, [tsc, '-p', project, '--noEmit', '--pretty', 'false'], {
      cwd: copy,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    for (const line of r.stdout.split('\n')) {
      const at = /^(.+?)\(\d+,\d+\): error TS\d+: (.*)$/.exec(line);
      if (!at) continue;
      const [, from, message] = at;
      // `import { X } from './m.js'` / `export { X } from` …: the module and the name.
      const named =
        /Module '"(.+?)"' (?:declares '([\w$]+)' locally|has no exported member(?: named)? '([\w$]+)')/.exec(
          message,
        );
      // `m.X` through `import * as m`.
      const member = /Property '([\w$]+)' does not exist on type 'typeof import\("(.+?)"\)'/.exec(message);
      let target;
      let name;
      if (named) {
        // tsc names files relative to where it runs (the copy's root), whichever project.
        target = path.resolve(copy, path.dirname(from), named[1]);
        name = named[2] ?? named[3];
      } else if (member) {
        target = path.resolve(copy, member[2]);
        name = member[1];
      } else continue;
      const rel = path.relative(copy, target).replace(/\.js$/, '');
      for (const ext of ['.ts', '.tsx']) asked.add(`${rel}${ext}#${name}`);
    }
  }

  // Used by no other file: dead when its own file does not use it either, else only exported needlessly.
  const notAsked = [...exported.keys()].filter((k) => !asked.has(k)).sort();
  const dead = [];
  const local = [];
  for (const k of notAsked) {
    const [file, name] = k.split('#');
    const uses = fs
      .readFileSync(path.join(root, file), 'utf8')
      .match(new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g'));
    ((uses?.length ?? 0) <= 1 ? dead : local).push(`${file}:${exported.get(k)}: ${name}`);
  }
  if (process.argv.includes('--all')) {
    for (const line of local) process.stdout.write(`${line} (used only in its file)\n`);
  }
  for (const line of dead) process.stdout.write(`${line}\n`);
  process.stdout.write(
    `${dead.length} export(s) used by nothing; ${local.length} more used only in their own file (--all lists them)\n`,
  );
  process.exitCode = dead.length === 0 ? 0 : 1;
} finally {
  fs.rmSync(copy, { recursive: true, force: true });
}
