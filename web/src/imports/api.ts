import { get, request, upload } from '../lib/api';
import type { UserPage } from '../users/types';
import type {
  Customer,
  EmailPage,
  FixInput,
  Group,
  Import,
  ImportConfig,
  ImportFix,
  ImportList,
  ImportOptionsChange,
  ImportTarget,
  InvalidValues,
  RowFilter,
  RowsPage,
  Settings,
  StagedRow,
} from './types';

const base = (id: number) => `/api/v1/imports/${id}`;

export const listTargets = () => get<ImportTarget[]>('/api/v1/import-targets');
export const listCustomers = () => get<Customer[]>('/api/v1/customers');
export const listGroups = () => get<Group[]>('/api/v1/groups');
export const readSettings = () => get<Settings>('/api/v1/settings');
export const searchUsers = (q: string) => get<UserPage>('/api/v1/users', { q, limit: 20 });

export const templateUrl = (target: string, format: 'csv' | 'xlsx', includeExisting: boolean) =>
  `/api/v1/import-targets/${encodeURIComponent(target)}/template?format=${format}&includeExisting=${includeExisting}`;

export const fileUrl = (id: number, kind: 'original' | 'success' | 'failure', format: 'csv' | 'xlsx') =>
  `${base(id)}/files/${kind}?format=${format}`;

export const eventsUrl = (id: number) => `${base(id)}/events`;

/** Uploads a file: the server reads, maps, validates and stages it (nothing is written to users). */
export function uploadImport(file: File, target: string, options: ImportOptionsChange): Promise<Import> {
  const form = new FormData();
  form.set('target', target);
  form.set('options', JSON.stringify(options));
  form.set('file', file);
  return upload<Import>('/api/v1/imports', form);
}

/** How to read a file instead of what was detected: empty means "detect". */
export interface ReadChoices {
  encoding?: string;
  delimiter?: string;
  sheet?: string;
}

/**
 * Reads an uploaded import's file again with other choices: its original is uploaded anew with
 * the same target and options (a new import, mapped afresh), and the first one is discarded.
 */
export async function rereadImport(view: Import, choices: ReadChoices): Promise<Import> {
  const res = await fetch(fileUrl(view.id, 'original', 'csv'), { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`The original file could not be downloaded (${res.status}).`);
  const file = new File([await res.blob()], view.file.name);
  const { mode, emptyCells, atomic, customerId, dateOrder, targetOptions } = view.options;
  const form = new FormData();
  form.set('target', view.target);
  form.set('options', JSON.stringify({ mode, emptyCells, atomic, customerId, dateOrder, targetOptions }));
  for (const [key, value] of Object.entries(choices)) if (value) form.set(key, value);
  form.set('file', file);
  const created = await upload<Import>('/api/v1/imports', form);
  await cancelImport(view.id);
  return created;
}

export const listImports = (before?: number) => get<ImportList>('/api/v1/imports', { before, limit: 25 });
export const getImport = (id: number) => get<Import>(base(id));
export const setMapping = (id: number, columns: (string | null)[]) =>
  request<Import>('PUT', `${base(id)}/mapping`, { columns });
export const setOptions = (id: number, options: ImportOptionsChange) =>
  request<Import>('PUT', `${base(id)}/options`, options);

export interface RowsRequest {
  filter: RowFilter;
  code?: string | null;
  offset?: number;
  after?: number;
  limit: number;
}
export const listRows = (id: number, q: RowsRequest) =>
  get<RowsPage>(`${base(id)}/rows`, {
    filter: q.filter,
    code: q.code,
    offset: q.offset,
    after: q.after,
    limit: q.limit,
  });
export const fixRow = (id: number, row: number, cells: Record<string, string>) =>
  request<{ rows: StagedRow[]; import: Import }>('PATCH', `${base(id)}/rows/${row}`, { cells });

/** Bulk fixes of the review: run on the server over every staged row, then kept in the history. */
export const applyFix = (id: number, fix: FixInput) =>
  request<{ fix: ImportFix; import: Import }>('POST', `${base(id)}/fixes`, fix);
export const listFixes = (id: number) => get<{ items: ImportFix[] }>(`${base(id)}/fixes`);
export const listInvalidValues = (id: number, column: number) =>
  get<InvalidValues>(`${base(id)}/fixes/values`, { column: String(column), limit: 200 });

export const commitImport = (id: number) => request<Import>('POST', `${base(id)}/commit`);
export const cancelImport = (id: number) => request<Import>('POST', `${base(id)}/cancel`);
export const rollbackImport = (id: number) => request<Import>('POST', `${base(id)}/rollback`);
export const importEmails = (id: number) => get<EmailPage>(`${base(id)}/emails`, { limit: 100 });

export const listConfigs = () => get<ImportConfig[]>('/api/v1/import-configs');
export const saveConfigOf = (id: number, name: string) =>
  request<ImportConfig>('POST', `${base(id)}/save-config`, { name });
