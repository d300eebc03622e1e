/**
 * Hostile uploads against the real server process (`roster serve`): each is refused with a typed
 * error while the server stays up, answers /healthz within a second throughout, keeps its peak RSS
 * under 600 MB, stops working within 2 s of the client going away, and stores nothing.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serve } from '../support/cli.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { generatedBytes, SHEET_CLOSE, SHEET_OPEN, sheetXml, xlsxEntries } from '../support/hostile-files.js';
import { until } from '../support/wait.js';
import { type Fixtures, makeFixtures, odsEntries, writeZip } from '../unit/import-read.fixtures.js';

const MB = 1024 * 1024;
const SST_OPEN = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">';
const SHEET = 'xl/worksheets/sheet1.xml';

interface Server {
  url: string;
  pid: number;
  dataDir: string;
  tmpDir: string;
  headers: Record<string, string>;
  stop(): Promise<void>;
}

let db: TestDb;
let fixtures: Fixtures;

async function startServer(env: Record<string, string>): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bounds-data-'));
  // The server's own temp folder: uploads must leave nothing in it.
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bounds-tmp-'));
  const server = await serve({
    ...db.env,
    DATA_DIR: dataDir,
    TMPDIR: tmpDir,
    LOG_LEVEL: 'info',
    ROSTER_ADMIN_EMAIL: 'bounds@admins.example',
    ROSTER_ADMIN_PASSWORD: 'bounds password long',
    ...env,
  });
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bounds@admins.example', password: 'bounds password long' }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return {
    url: server.url,
    pid: server.child.pid!,
    dataDir,
    tmpDir,
    headers: { cookie, 'x-csrf-token': csrfToken },
    async stop() {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

function upload(server: Server, file: string, signal?: AbortSignal): Promise<Response> {
  const form = new FormData();
  form.append('target', 'users');
  form.append('file', new Blob([fs.readFileSync(file)]), path.basename(file));
  return fetch(`${server.url}/api/v1/imports`, {
    method: 'POST',
    headers: server.headers,
    body: form,
    ...(signal && { signal }),
  });
}

/** CPU time of the server process (all its threads), in clock ticks. */
function cpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const peakRssMb = (pid: number): number =>
  Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Asks /healthz every 100 ms; `worst()` is the slowest answer so far (a failure counts as Infinity). */
function watchHealth(server: Server) {
  let worst = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        worst = Math.max(worst, res.ok ? performance.now() - started : Number.POSITIVE_INFINITY);
      } catch {
        worst = Number.POSITIVE_INFINITY;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    worst: () => worst,
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function importCount(server: Server): Promise<number> {
  const res = await fetch(`${server.url}/api/v1/imports`, { headers: server.headers });
  return ((await res.json()) as { items: unknown[] }).items.length;
}

const entriesOf = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

/** Nothing kept: no import, no import folder, no upload left in the server's temp folder. */
async function expectNothingStored(server: Server, importsBefore = 0) {
  expect(await importCount(server)).toBe(importsBefore);
  expect(entriesOf(path.join(server.dataDir, 'imports'))).toEqual([]);
  await until(
    'the upload temp files to go',
    async () => entriesOf(server.tmpDir).filter((name) => name.startsWith('roster-upload-')),
    (e) => e.length === 0,
  );
}

async function expectRefused(res: Response, status: number, code: string, message: RegExp) {
  const body = (await res.json()) as { code: string; message: string };
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.code).toBe(code);
  expect(body.message).toMatch(message);
}

/** A sheet whose rows are all empty: read to its end, ~200 MB of XML in ~12 MB, compressing about 17:1. */
async function slowWorkbook(): Promise<string> {
  const file = fixtures.file('slow.xlsx');
  if (!fs.existsSync(file)) {
    await writeZip(
      file,
      xlsxEntries([{ name: 'Users', part: SHEET }], {
        [SHEET]: generatedBytes((i) => `<row r="${i + 1}" spans="1:1"/>`, 200 * MB, SHEET_OPEN, SHEET_CLOSE),
      }),
    );
  }
  return file;
}

beforeAll(async () => {
  db = await openTestDb();
  fixtures = await makeFixtures();
}, 120_000);
afterAll(async () => {
  await db.close();
  await fixtures.cleanup();
});

describe(`hostile uploads against roster serve on ${process.env.ROSTER_TEST_DB}`, () => {
  let server: Server;
  let health: ReturnType<typeof watchHealth>;
  beforeAll(async () => {
    server = await startServer({ IMPORT_MAX_CONCURRENT_READS: '2', IMPORT_MAX_STAGED_MB: '2' });
  }, 60_000);
  afterAll(async () => {
    const peak = peakRssMb(server.pid);
    await server.stop();
    expect(peak).toBeLessThan(600);
  });
  beforeEach(() => {
    health = watchHealth(server);
  });
  afterEach(async () => {
    await health.stop();
    expect(health.worst(), 'slowest /healthz answer, ms').toBeLessThan(1000);
    expect(peakRssMb(server.pid), 'peak RSS of the server, MB').toBeLessThan(600);
  });

  it('refuses a sheet of 150 MB of opening tags never closed (finding 1)', async () => {
    const file = fixtures.file('unclosed.xlsx');
    await writeZip(
      file,
      xlsxEntries([{ name: 'Users', part: SHEET }], {
        [SHEET]: generatedBytes(
          (i) => `<t${i} b="${(i * 7919) % 1_000_003}" a="${'a'.repeat(40)}">`,
          150 * MB,
          SHEET_OPEN,
        ),
      }),
    );
    await expectRefused(
      await upload(server, file),
      422,
      'import.file_rejected',
      /nests elements more than 64 deep/,
    );
    await expectNothingStored(server);
  });

  it('refuses three parallel uploads of unclosed tags in the shared strings: 422, or 503 past the limit', async () => {
    const file = fixtures.file('unclosed-strings.xlsx');
    await writeZip(
      file,
      xlsxEntries(
        [{ name: 'Users', part: SHEET }],
        { [SHEET]: sheetXml([['email'], ['a@example.com']]) },
        generatedBytes(
          (i) => `<si${i} b="${(i * 7919) % 1_000_003}" a="${'a'.repeat(40)}">`,
          100 * MB,
          SST_OPEN,
        ),
      ),
    );
    const answers = await Promise.all([1, 2, 3].map(() => upload(server, file)));
    const bodies = await Promise.all(
      answers.map(async (res) => ({ status: res.status, ...((await res.json()) as object) })),
    );
    for (const body of bodies) {
      expect([422, 503], JSON.stringify(body)).toContain(body.status);
      expect(body).toMatchObject(
        body.status === 422 ? { code: 'import.file_rejected' } : { code: 'import.server_busy' },
      );
    }
    expect(bodies.filter((b) => b.status === 422).length).toBeGreaterThanOrEqual(2);
    await expectNothingStored(server);
  });

  it('refuses an ODS of 20,000 empty tables at once (finding 2)', async () => {
    const file = fixtures.file('tables.ods');
    await writeZip(
      file,
      odsEntries(Array.from({ length: 20_000 }, (_, i) => `<table:table table:name="T${i}"/>`).join('')),
    );
    const started = performance.now();
    await expectRefused(await upload(server, file), 422, 'import.file_rejected', /more sheets/);
    expect(performance.now() - started).toBeLessThan(5000);
    await expectNothingStored(server);
  });

  it('refuses 400 sheets sharing one 8 MB part once the reads pass the inflate budget (finding 2)', async () => {
    const shared = 'xl/worksheets/shared.xml';
    const file = fixtures.file('shared-part.xlsx');
    await writeZip(
      file,
      xlsxEntries(
        Array.from({ length: 400 }, (_, i) => ({ name: `S${i}`, part: shared })),
        { [shared]: generatedBytes((i) => `<row r="${i + 1}"/>`, 8 * MB, SHEET_OPEN, SHEET_CLOSE) },
      ),
    );
    await expectRefused(
      await upload(server, file),
      422,
      'import.file_rejected',
      /would inflate to more than/,
    );
    await expectNothingStored(server);
  });

  it('refuses one row of 499 cells of 990,000 characters (finding 5)', async () => {
    const file = fixtures.file('wide-row.xlsx');
    const text = Array.from({ length: 99_000 }, (_, i) => String(i % 10_000).padStart(10, '-')).join('');
    await writeZip(
      file,
      xlsxEntries(
        [{ name: 'Users', part: SHEET }],
        {
          [SHEET]: `${SHEET_OPEN}<row r="1"><c t="inlineStr"><is><t>Email</t></is></c></row><row r="2">${'<c t="s"><v>0</v></c>'.repeat(499)}</row>${SHEET_CLOSE}`,
        },
        `${SST_OPEN}<si><t>${text}</t></si></sst>`,
      ),
    );
    await expectRefused(
      await upload(server, file),
      422,
      'import.cell_too_large',
      /A row \(row 2\) is longer/,
    );
    await expectNothingStored(server);
  });

  it('refuses a file whose cells hold more text than one import stages (IMPORT_MAX_STAGED_MB)', async () => {
    const file = fixtures.file('much.csv');
    const notes = 'n'.repeat(5000);
    fs.writeFileSync(
      file,
      `Email,First name,Notes\n${Array.from({ length: 600 }, (_, i) => `u${i}@acme.example,U,${notes}`).join('\n')}\n`,
    );
    await expectRefused(await upload(server, file), 422, 'import.too_much_data', /more than 2\.0 MB/);
    await expectNothingStored(server);
  });

  it('stops reading within 2 s of the client going away, and keeps nothing', async () => {
    const file = await slowWorkbook();
    const idle = cpuTicks(server.pid);
    const client = new AbortController();
    const pending = upload(server, file, client.signal).catch((error: unknown) => error);
    // Reading has begun once the server burns CPU well beyond what receiving the upload costs.
    await until(
      'the server to be reading',
      async () => cpuTicks(server.pid) - idle,
      (t) => t > 150,
      20_000,
      20,
    );
    client.abort();
    const abortedAt = performance.now();
    await pending;
    let last = cpuTicks(server.pid);
    await until(
      'the server to stop working',
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const now = cpuTicks(server.pid);
        const spent = now - last;
        last = now;
        return spent;
      },
      (spent) => spent <= 4,
      5000,
      0,
    );
    expect(performance.now() - abortedAt).toBeLessThan(2000);
    await expectNothingStored(server);
  }, 60_000);

  it('cuts a cell longer than any field takes before staging, and shows the cut in the review', async () => {
    const file = fixtures.file('long-cells.xlsx');
    const long = 'L'.repeat(900_000);
    await writeZip(
      file,
      xlsxEntries([{ name: 'Users', part: SHEET }], {
        [SHEET]: sheetXml([
          ['Email', 'First name', 'Last name', 'Comment'],
          ['long@acme.example', long, 'Smith', long],
        ]),
      }),
    );
    const res = await upload(server, file);
    const view = (await res.json()) as { id: number; rows: { total: number; invalid: number } };
    expect(res.status, JSON.stringify(view)).toBe(201);
    expect(view.rows).toMatchObject({ total: 1, invalid: 1 });
    const rows = (await (
      await fetch(`${server.url}/api/v1/imports/${view.id}/rows`, { headers: server.headers })
    ).json()) as {
      items: {
        cells: string[];
        problems: { code: string; column: string; severity: string; message: string }[];
      }[];
    };
    const [row] = rows.items;
    expect(row!.cells[1]).toHaveLength(10_001);
    expect(row!.cells[3]).toHaveLength(10_001);
    expect(row!.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'cell.truncated', column: 'First name', severity: 'error' }),
        expect.objectContaining({ code: 'cell.truncated', column: 'Comment', severity: 'warning' }),
      ]),
    );
    expect(row!.problems[0]!.message).toMatch(/only the first 10,000 were kept/);
  }, 60_000);
});

describe(`the read time limit of roster serve on ${process.env.ROSTER_TEST_DB}`, () => {
  it('stops a read that runs past IMPORT_READ_TIMEOUT_SECONDS, and keeps nothing', async () => {
    const file = await slowWorkbook();
    const server = await startServer({ IMPORT_READ_TIMEOUT_SECONDS: '1' });
    try {
      // On PostgreSQL the database is the one the first server used: it may hold that server's import.
      const before = await importCount(server);
      const started = performance.now();
      await expectRefused(await upload(server, file), 422, 'import.read_timeout', /longer than 1 seconds/);
      expect(performance.now() - started).toBeLessThan(5000);
      await expectNothingStored(server, before);
    } finally {
      await server.stop();
    }
  }, 90_000);
});
