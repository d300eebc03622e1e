import type { CommitPort, StagingPort } from '../../../src/core/import/engine.js';
import type { RowProblem } from '../../../src/core/import/problems.js';
import type {
  CheckedRow,
  ImportOptions,
  ImportTarget,
  RowResult,
  TargetField,
  WritableRow,
} from '../../../src/core/import/target.js';
import { DEFAULT_OPTIONS } from '../../../src/core/import/target.js';
import type { FileRow, StagedRow } from '../../../src/core/import/validate.js';

/**
 * The engine's ports in memory, and a small target of its own: the engine's rules tested
 * without a database (the integration tests run the same flows on SQLite and PostgreSQL).
 */
export interface MemoryRow extends StagedRow {
  result: RowResult | null;
}

export class MemoryStaging implements StagingPort {
  readonly rows = new Map<number, MemoryRow>();
  inserts = 0;

  async insert(rows: readonly StagedRow[]): Promise<void> {
    this.inserts++;
    for (const r of rows) this.rows.set(r.row, { ...r, result: null });
  }
  async update(rows: readonly StagedRow[], withCells: boolean): Promise<void> {
    for (const r of rows) {
      const current = this.rows.get(r.row)!;
      this.rows.set(r.row, {
        ...current,
        ...(withCells && { cells: r.cells }),
        keys: r.keys,
        problems: r.problems,
        action: r.action,
      });
    }
  }
  async read(afterRow: number, limit: number): Promise<FileRow[]> {
    return this.sorted()
      .filter((r) => r.row > afterRow)
      .slice(0, limit)
      .map((r) => ({ row: r.row, cells: r.cells }));
  }
  async duplicates(index: number, values?: readonly string[]) {
    const counts = new Map<string, number>();
    for (const r of this.rows.values()) {
      const k = r.keys[index];
      if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return this.sorted()
      .filter((r) => {
        const k = r.keys[index];
        return k && (counts.get(k) ?? 0) > 1 && (!values || values.includes(k));
      })
      .map((r) => ({ key: r.keys[index]!, row: r.row }));
  }
  async rowsWithKeys(index: number, values: readonly string[]) {
    return this.sorted()
      .filter((r) => values.includes(r.keys[index] ?? ''))
      .map((r) => r.row);
  }
  async row(row: number) {
    const r = this.rows.get(row);
    return r && { cells: r.cells, problems: r.problems, action: r.action };
  }
  async setProblems(row: number, problems: RowProblem[], action: string | null) {
    const r = this.rows.get(row)!;
    const errors = problems.some((p) => p.severity === 'error');
    this.rows.set(row, { ...r, problems, action: errors ? null : (action as MemoryRow['action']) });
  }
  /** Valid rows after `after`, as the commit reads them. */
  valid(after: number, limit: number): FileRow[] {
    return this.sorted()
      .filter((r) => r.row > after && !r.problems.some((p) => p.severity === 'error'))
      .slice(0, limit)
      .map((r) => ({ row: r.row, cells: r.cells }));
  }
  sorted(): MemoryRow[] {
    return [...this.rows.values()].sort((a, b) => a.row - b.row);
  }
  codes(row: number): string[] {
    return (this.rows.get(row)?.problems ?? []).map((p) => p.code);
  }
}

/** Widgets: a code (the key), a name, a quantity and a kind. */
export interface Widget {
  id: number;
  code: string;
  name: string;
  qty: number | null;
  kind: string;
}

export interface WidgetEnv {
  store: Map<string, Widget>;
  nextId: { n: number };
}

export const WIDGET_FIELDS: TargetField[] = [
  {
    key: 'code',
    column: 'Code',
    label: 'Code',
    type: 'text',
    required: true,
    uniqueInFile: true,
    maxLength: 10,
    description: 'The key.',
    synonyms: ['Widget code', 'Part number'],
  },
  {
    key: 'name',
    column: 'Name',
    label: 'Name',
    type: 'text',
    required: false,
    maxLength: 20,
    description: '',
  },
  { key: 'qty', column: 'Quantity', label: 'Quantity', type: 'number', required: false, description: '' },
  {
    key: 'kind',
    column: 'Kind',
    label: 'Kind',
    type: 'enum',
    required: false,
    default: 'plain',
    allowed: ['plain', 'fancy'],
    description: '',
  },
];

export const widgetsTarget: ImportTarget<WidgetEnv> = {
  name: 'widgets',
  label: 'Widgets',
  description: 'Widgets by code.',
  modes: ['insert', 'update', 'upsert'],
  keyField: 'code',
  fields: () => WIDGET_FIELDS,
  async check(rows, env, options) {
    return rows.map((row): CheckedRow => {
      const found = env.store.get(String(row.values.code).toLowerCase());
      if (found && options.mode === 'insert')
        return { problems: [], action: 'skip', skipReason: 'This widget exists.' };
      if (!found && options.mode === 'update')
        return { problems: [], action: 'skip', skipReason: 'No such widget.' };
      return found
        ? { problems: [], action: 'update', existingId: found.id }
        : { problems: [], action: 'create' };
    });
  },
  // Undo is the rollback's (tested in the integration suites); these tests stop at the commit.
  restorePoint: { entityType: 'widget', undo: async () => [] },
  async commit(rows: readonly WritableRow[], env: WidgetEnv): Promise<RowResult[]> {
    return rows.map((row) => {
      const code = String(row.values.code);
      const values = {
        code,
        name: (row.values.name as string | null) ?? '',
        qty: (row.values.qty as number | null) ?? null,
        kind: (row.values.kind as string | null) ?? 'plain',
      };
      if (row.action === 'create') {
        const id = env.nextId.n++;
        env.store.set(code.toLowerCase(), { id, ...values });
        return { row: row.row, action: 'created', entityId: id, message: null };
      }
      const before = env.store.get(code.toLowerCase())!;
      const after = { ...before, ...values };
      const same = JSON.stringify(before) === JSON.stringify(after);
      env.store.set(code.toLowerCase(), after);
      return { row: row.row, action: same ? 'unchanged' : 'updated', entityId: before.id, message: null };
    });
  },
};

export function widgetEnv(existing: Omit<Widget, 'id'>[] = []): WidgetEnv {
  const env: WidgetEnv = { store: new Map(), nextId: { n: 1 } };
  for (const w of existing) env.store.set(w.code.toLowerCase(), { id: env.nextId.n++, ...w });
  return env;
}

export function widgetPlan(env: WidgetEnv, header: string[], options: Partial<ImportOptions> = {}) {
  return {
    target: widgetsTarget,
    env,
    fields: WIDGET_FIELDS,
    header,
    mapping: { columns: header.map((h) => WIDGET_FIELDS.find((f) => f.column === h)?.key ?? null) },
    options: { ...DEFAULT_OPTIONS, ...options },
  };
}

/**
 * A commit port over the staging rows: each transaction's results land together, or not at all
 * (a failing batch leaves the rows and the resume point as they were).
 */
export function memoryCommit(
  staging: MemoryStaging,
  env: WidgetEnv,
  hooks: { interruptAfterBatches?: number; cancelAfterBatches?: number; batchTimeMs?: number } = {},
): CommitPort<WidgetEnv> & { committedThrough: number; batches: number; progressSeen: number[] } {
  const port = {
    committedThrough: 0,
    batches: 0,
    progressSeen: [] as number[],
    readValid: async (after: number, limit: number) => staging.valid(after, limit),
    async transaction<T>(
      work: (tx: {
        env: WidgetEnv;
        readValid(after: number, limit: number): Promise<FileRow[]>;
        saveResults(results: readonly RowResult[], through: number): Promise<void>;
      }) => Promise<T>,
    ): Promise<T> {
      const snapshot = new Map(env.store);
      const saved: { results: RowResult[]; through: number }[] = [];
      try {
        const out = await work({
          env,
          readValid: async (after, limit) => staging.valid(after, limit),
          async saveResults(results, through) {
            saved.push({ results: [...results], through });
          },
        });
        for (const s of saved) {
          for (const r of s.results) staging.rows.get(r.row)!.result = r;
          port.committedThrough = s.through;
        }
        port.batches++;
        return out;
      } catch (e) {
        env.store.clear();
        for (const [k, v] of snapshot) env.store.set(k, v);
        throw e;
      }
    },
    interrupted: () =>
      hooks.interruptAfterBatches !== undefined && port.batches >= hooks.interruptAfterBatches,
    cancelled: async () => hooks.cancelAfterBatches !== undefined && port.batches >= hooks.cancelAfterBatches,
    async progress(done: number) {
      port.progressSeen.push(done);
    },
    batchTimeMs: hooks.batchTimeMs ?? 60_000,
  };
  return port;
}
