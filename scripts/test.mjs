// `npm test`: starts PostgreSQL for the integration suites, runs every Vitest project (unit,
// SQLite, PostgreSQL, API, browser), and ends with one line: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startPostgres } from './postgres.mjs';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'test-output');
fs.mkdirSync(out, { recursive: true });
const report = path.join(out, 'vitest.json');
fs.rmSync(report, { force: true });

// Type-check and lint first: each counts as one test in the closing line.
const checks = [
  ['type-check', [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']],
  ['lint', [path.join(root, 'node_modules/@biomejs/biome/bin/biome'), 'check', '.']],
];
let checksPassed = 0;
let checksFailed = 0;
for (const [name, args] of checks) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status === 0) checksPassed++;
  else {
    checksFailed++;
    process.stderr.write(`${name} failed\n`);
  }
}

// The browser test uses the built admin console: build it when missing or older than its sources.
if (consoleIsStale()) {
  const r = spawnSync('npm', ['run', 'build:web', '--silent'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.stderr.write('admin console build failed: the e2e test will fail\n');
}

function newest(dir) {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      latest = Math.max(latest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

function consoleIsStale() {
  const built = path.join(root, 'dist/web/index.html');
  if (!fs.existsSync(built)) return true;
  return newest(path.join(root, 'web')) > fs.statSync(built).mtimeMs;
}

let pg;
try {
  pg = await startPostgres();
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.stdout.write(`${checksPassed} passed, ${checksFailed + 1} failed\n`);
  process.exit(1);
}

let status = 1;
try {
  const r = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
      ...process.argv.slice(2),
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, ROSTER_TEST_PG_URL: pg.url } },
  );
  status = r.status ?? 1;
} finally {
  pg.stop();
}

let passed = 0;
let failed = 0;
if (fs.existsSync(report)) {
  const json = JSON.parse(fs.readFileSync(report, 'utf8'));
  passed = json.numPassedTests ?? 0;
  failed = (json.numFailedTests ?? 0) + (json.numRuntimeErrorTestSuites ?? 0);
  if (status !== 0 && failed === 0) failed = 1;
} else {
  failed = 1;
}
passed += checksPassed;
failed += checksFailed;
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(status === 0 && failed === 0 ? 0 : 1);
