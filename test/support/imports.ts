import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import Papa from 'papaparse';
import type { Caller } from './api.js';
import { multipart } from './upload.js';
import { until } from './wait.js';

/** A staged row as GET /api/v1/imports/:id/rows returns it. */
export interface StagedRowJson {
  row: number;
  cells: string[];
  valid: boolean;
  action: string | null;
  problems: {
    row: number;
    column: string | null;
    value: string | null;
    code: string;
    message: string;
    severity: string;
    source: string;
  }[];
  result: string | null;
  resultId: number | null;
  resultMessage: string | null;
  /** The owner the row resolved to (imports grouped by owner). */
  owner: number | null;
}

/** A portal user as GET /api/v1/users returns it (the fields the import tests look at). */
export interface UserJson {
  id: number;
  email: string;
  username: string;
  firstName: string;
  lastName: string;
  displayName: string;
  customer: { id: number; name: string };
  site: { id: number; name: string };
  userType: string;
  accessLevel: string | null;
  employeeNumber: string | null;
  attributes: Record<string, string | number | boolean | null>;
  status: string;
  roles: { id: number; name: string }[];
  groups: { id: number; name: string }[];
  version: number;
  importId: number | null;
}

const RUNNING = ['queued', 'committing', 'cancelling', 'rolling_back'];

/** The import API as an admin uses it: upload, review, commit, download. */
export function importClient(admin: Caller, customerId: number) {
  const get = (url: string) => admin.token({ method: 'GET', url });
  /** Polls until the import's background work (commit, rollback) has settled. */
  const settle = (id: number, timeoutMs = 60_000) =>
    until(
      `import ${id} to settle`,
      async () => (await get(`/api/v1/imports/${id}`)).json(),
      (view) => !RUNNING.includes(view.status),
      timeoutMs,
    );
  return {
    /** POST /api/v1/imports with the file as a browser sends it. */
    upload(content: string | Buffer, name: string, options: object = {}): Promise<LightMyRequestResponse> {
      const body = multipart(
        { target: 'users', options: JSON.stringify({ customerId, ...options }) },
        { name, content },
      );
      return admin.token({
        method: 'POST',
        url: '/api/v1/imports',
        payload: body.payload,
        headers: body.headers,
      });
    },
    async view(id: number) {
      return (await get(`/api/v1/imports/${id}`)).json();
    },
    async rows(id: number, query = ''): Promise<StagedRowJson[]> {
      const res = await get(`/api/v1/imports/${id}/rows?limit=1000${query}`);
      if (res.statusCode !== 200) throw new Error(`rows of import ${id}: ${res.body}`);
      return res.json().items;
    },
    /**
     * Commits and waits for the background job; returns the import as it ends. Deletes the import
     * plans are confirmed with their number, as the console does once the admin agreed.
     */
    async commit(id: number) {
      const deletes = ((await get(`/api/v1/imports/${id}`)).json().planned?.delete ?? 0) as number;
      const res = await admin.token({
        method: 'POST',
        url: `/api/v1/imports/${id}/commit`,
        ...(deletes > 0 && { payload: { confirmDeletes: deletes } }),
      });
      if (res.statusCode !== 202) throw new Error(`commit of import ${id}: ${res.body}`);
      return settle(id);
    },
    async user(email: string): Promise<UserJson | undefined> {
      const res = await get(`/api/v1/users?q=${encodeURIComponent(email)}`);
      return (res.json().items as UserJson[]).find((u) => u.email === email);
    },
    async userCount(): Promise<number> {
      return (await get('/api/v1/users?limit=1')).json().total;
    },
    /** A result or original file, or a template, as bytes. */
    async download(url: string): Promise<Buffer> {
      const res = await get(url);
      if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
      return res.rawPayload;
    },
  };
}

export type ImportClient = ReturnType<typeof importClient>;

/** A downloaded XLSX opened with ExcelJS, as a test reads what an admin would open in Excel. */
export async function loadXlsx(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.read(Readable.from([bytes]));
  return workbook;
}

/** A downloaded CSV read as a spreadsheet program would: BOM dropped, quoted line breaks kept. */
export function parseCsv(bytes: Buffer): string[][] {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  return Papa.parse<string[]>(text, { skipEmptyLines: true }).data;
}
