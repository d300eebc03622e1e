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
  MissingInput,
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

/** A template to download; for a customer, the XLSX one lists its sites in a drop-down. */
export const templateUrl = (
  target: string,
  format: 'csv' | 'xlsx',
  includeExisting: boolean,
  customerId: string | null,
) =>
  `/api/v1/import-targets/${encodeURIComponent(target)}/template?format=${format}&includeExisting=${includeExisting}${customerId === null ? '' : `&customerId=${encodeURIComponent(customerId)}`}`;

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
 * Reads an uploaded import's kept file again with other choices (those left out are detected
 * again): the same import, its rows staged anew, the mapping kept for the headers still there.
 */
export const rereadImport = (id: number, choices: ReadChoices) =>
  request<Import>('PUT', `${base(id)}/source`, choices);

/** The history's filters, as the address and the API name them; empty ones are left out. */
export interface ImportFilters {
  status?: string;
  target?: string;
  createdBy?: string;
  from?: string;
  to?: string;
  q?: string;
}
export const listImports = (filters: ImportFilters = {}, before?: number) =>
  get<ImportList>('/api/v1/imports', { ...filters, before, limit: 25 });
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
  /** Only the rows of this owner (a target whose rows each belong to one owner). */
  owner?: number | undefined;
}
export const listRows = (id: number, q: RowsRequest) =>
  get<RowsPage>(`${base(id)}/rows`, {
    filter: q.filter,
    code: q.code,
    offset: q.offset,
    after: q.after,
    limit: q.limit,
    owner: q.owner,
  });
export const fixRow = (id: number, row: number, cells: Record<string, string>) =>
  request<{ rows: StagedRow[]; import: Import }>('PATCH', `${base(id)}/rows/${row}`, { cells });

/** Bulk fixes of the review: run on the server over every staged row, then kept in the history. */
export const applyFix = (id: number, fix: FixInput) =>
  request<{ fix: ImportFix; import: Import }>('POST', `${base(id)}/fixes`, fix);
/** Creates what rows name but is missing (or an attribute for an unmapped column); the rows are checked again. */
export const createMissing = (id: number, input: MissingInput) =>
  request<{ fix: ImportFix; import: Import }>('POST', `${base(id)}/fixes/create`, input);
export const listFixes = (id: number) => get<{ items: ImportFix[] }>(`${base(id)}/fixes`);
export const listInvalidValues = (id: number, column: number) =>
  get<InvalidValues>(`${base(id)}/fixes/values`, { column: String(column), limit: 200 });

/**
 * `firstRows`: only the first N valid rows not committed yet; the import then waits, partly
 * committed. `confirmDeletes`: the number of users the admin agreed to delete (the server refuses
 * an import that deletes without it).
 */
export const commitImport = (id: number, choice: { firstRows?: number; confirmDeletes?: number } = {}) =>
  request<Import>('POST', `${base(id)}/commit`, choice);
export const cancelImport = (id: number) => request<Import>('POST', `${base(id)}/cancel`);
export const rollbackImport = (id: number) => request<Import>('POST', `${base(id)}/rollback`);
export const importEmails = (id: number) => get<EmailPage>(`${base(id)}/emails`, { limit: 100 });

export const listConfigs = () => get<ImportConfig[]>('/api/v1/import-configs');
export const saveConfigOf = (id: number, name: string) =>
  request<ImportConfig>('POST', `${base(id)}/save-config`, { name });
