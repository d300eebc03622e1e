import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { roster, serve } from '../test/support/cli.js';
import type { BenchEnv, Benchmark } from './lib/harness.js';
import { int, ms, summarize, type Timing, table } from './lib/measure.js';

const root = path.resolve(import.meta.dirname, '..');
const WEB = path.join(root, 'dist/web');
const CHROMIUM = '/usr/bin/chromium';
const ADMIN = { email: 'bench@console.example', password: 'console-bench-password-1' };
const KB = 1024;

interface AssetSize {
  file: string;
  /** Loaded by index.html itself, rather than later by the page that needs it. */
  firstLoad: boolean;
  raw: number;
  gzip: number;
  brotli: number;
}

/** Sizes of the built console's scripts and styles as sent raw, gzip (level 9) and brotli (11). */
function assetSizes(): AssetSize[] {
  const html = fs.readFileSync(path.join(WEB, 'index.html'), 'utf8');
  const assets = path.join(WEB, 'assets');
  return fs
    .readdirSync(assets)
    .filter((f) => f.endsWith('.js') || f.endsWith('.css'))
    .sort()
    .map((f) => {
      const data = fs.readFileSync(path.join(assets, f));
      return {
        file: f,
        firstLoad: html.includes(`/assets/${f}`),
        raw: data.length,
        gzip: zlib.gzipSync(data, { level: 9 }).length,
        brotli: zlib.brotliCompressSync(data, {
          params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 },
        }).length,
      };
    });
}

const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} kB`;

/**
 * Time to the users table: a fresh browser context (empty cache) per run opens /users with a
 * signed-in session and waits for the first row of the table. Baseline, in the same run: the same
 * page of users fetched from the API as JSON in a fresh context, which is what the console shows
 * before any of its own code runs.
 */
async function firstLoad(env: BenchEnv): Promise<{ cold: Timing; warm: Timing; baseline: Timing }> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing. Install it with: apt-get install -y --no-install-recommends chromium`,
    );
  }
  const dataDir = fs.mkdtempSync(path.join(env.tempDir(), 'console-'));
  const base = { DATA_DIR: dataDir, DATABASE_URL: '', RUN_JOBS: 'false' };
  const seeded = roster(['seed', '--demo'], {
    ...base,
    ROSTER_ADMIN_EMAIL: ADMIN.email,
    ROSTER_ADMIN_PASSWORD: ADMIN.password,
  });
  if (seeded.status !== 0) throw new Error(`roster seed --demo failed:\n${seeded.stderr}`);
  const server = await serve({
    ...base,
    ROSTER_ADMIN_EMAIL: ADMIN.email,
    ROSTER_ADMIN_PASSWORD: ADMIN.password,
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  try {
    const signIn = await browser.newContext();
    const login = await signIn.request.post(`${server.url}/api/v1/auth/login`, { data: ADMIN });
    if (!login.ok()) throw new Error(`sign-in failed: ${login.status()} ${await login.text()}`);
    const storageState = await signIn.storageState();
    await signIn.close();

    const runs = Math.min(env.options.runs, 15);
    const cold: number[] = [];
    const warm: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      const context = await browser.newContext({ storageState, viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const firstRow = page.locator('[data-testid="users-table"] tbody tr').first();
      let start = performance.now();
      await page.goto(`${server.url}/users`, { waitUntil: 'commit' });
      await firstRow.waitFor();
      const coldMs = performance.now() - start;
      start = performance.now();
      await page.reload({ waitUntil: 'commit' });
      await firstRow.waitFor();
      const warmMs = performance.now() - start;
      await context.close();

      const plain = await browser.newContext({ storageState });
      const api = await plain.newPage();
      start = performance.now();
      const answer = await api.goto(`${server.url}/api/v1/users?limit=25`);
      await answer?.body();
      const baselineMs = performance.now() - start;
      await plain.close();
      // The first two runs warm the server and the browser up.
      if (i >= 2) {
        cold.push(coldMs);
        warm.push(warmMs);
        baseline.push(baselineMs);
      }
    }
    return { cold: summarize(cold), warm: summarize(warm), baseline: summarize(baseline) };
  } finally {
    await browser.close();
    server.child.kill();
  }
}

export const consoleBench: Benchmark = {
  name: 'console',
  description:
    'the admin console: compressed size of its scripts and styles, and the time to the users table on localhost',
  async run(env) {
    const built = performance.now();
    const build = spawnSync('npm', ['run', 'build:web', '--silent'], { cwd: root, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build:web failed:\n${build.stdout}${build.stderr}`);
    env.log(`built the console in ${((performance.now() - built) / 1000).toFixed(1)} s`);

    const sizes = assetSizes();
    const sum = (list: AssetSize[], key: 'raw' | 'gzip' | 'brotli') => list.reduce((n, a) => n + a[key], 0);
    const first = sizes.filter((a) => a.firstLoad);
    env.log(
      table(
        ['file', 'first load', 'raw', 'gzip', 'brotli'],
        [
          ...sizes.map((a) => [a.file, a.firstLoad ? 'yes' : 'later', kb(a.raw), kb(a.gzip), kb(a.brotli)]),
          ['all of the above', '', kb(sum(sizes, 'raw')), kb(sum(sizes, 'gzip')), kb(sum(sizes, 'brotli'))],
          [
            'loaded by index.html',
            '',
            kb(sum(first, 'raw')),
            kb(sum(first, 'gzip')),
            kb(sum(first, 'brotli')),
          ],
        ],
      ),
    );

    env.log('\nfirst load (demo data, SQLite, localhost, Debian chromium headless, 1280×800):');
    const { cold, warm, baseline } = await firstLoad(env);
    const ratio = (t: Timing) => `${(t.median / baseline.median).toFixed(1)}`;
    env.log(
      table(
        ['case', 'median ms', 'p95 ms', '× baseline', 'runs'],
        [
          [
            'baseline: /api/v1/users?limit=25 as JSON, fresh context',
            ms(baseline.median),
            ms(baseline.p95),
            '1',
            int(baseline.runs),
          ],
          [
            'users table, fresh context (nothing cached)',
            ms(cold.median),
            ms(cold.p95),
            ratio(cold),
            int(cold.runs),
          ],
          [
            'users table, reload (scripts cached)',
            ms(warm.median),
            ms(warm.p95),
            ratio(warm),
            int(warm.runs),
          ],
        ],
      ),
    );
  },
};
