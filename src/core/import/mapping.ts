import { editDistance } from '../domain/roles.js';
import {
  type ImportOptions,
  type ImportTarget,
  type RunOptions,
  runOptions,
  type TargetField,
} from './target.js';

/**
 * Column mapping: which field each column of the file fills. Automatic mapping tries, in order,
 * the exact header, the header ignoring case/spaces/punctuation, the field's synonyms, and finally a
 * close spelling; each match carries a confidence so the admin knows what to check.
 */
export type MatchKind = 'exact' | 'normalized' | 'synonym' | 'close' | 'manual';

export interface ColumnMatch {
  index: number;
  header: string;
  field: string | null;
  match: MatchKind | null;
  confidence: number;
}

export interface Mapping {
  /** Field key (or null: ignored) for each column of the header, in order. */
  columns: (string | null)[];
}

export interface MappingReport {
  columns: ColumnMatch[];
  unknownColumns: string[];
  missingRequired: string[];
  complete: boolean;
}

const CONFIDENCE: Record<MatchKind, number> = {
  exact: 1,
  manual: 1,
  normalized: 0.95,
  synonym: 0.9,
  close: 0.7,
};

export const normalizeHeader = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

export function autoMap(header: readonly string[], fields: readonly TargetField[]): Mapping {
  const claimed = new Set<string>();
  const columns: (string | null)[] = header.map(() => null);
  const kinds: MatchKind[] = ['exact', 'normalized', 'synonym', 'close'];
  for (const kind of kinds) {
    header.forEach((h, i) => {
      if (columns[i] !== null) return;
      const field = fields.find((f) => !claimed.has(f.key) && matches(kind, h, f));
      if (field) {
        columns[i] = field.key;
        claimed.add(field.key);
      }
    });
  }
  return { columns };
}

function matches(kind: MatchKind, header: string, field: TargetField): boolean {
  const trimmed = header.trim();
  const n = normalizeHeader(header);
  if (n === '') return false;
  switch (kind) {
    case 'exact':
      return trimmed === field.column;
    case 'normalized':
      return (
        n === normalizeHeader(field.column) ||
        n === normalizeHeader(field.label) ||
        n === normalizeHeader(field.key)
      );
    case 'synonym':
      return (field.synonyms ?? []).some((s) => normalizeHeader(s) === n);
    case 'close': {
      if (n.length < 5) return false;
      const names = [field.column, field.label, ...(field.synonyms ?? [])].map(normalizeHeader);
      return names.some((name) => name.length >= 5 && editDistance(n, name, 3) <= (n.length >= 10 ? 2 : 1));
    }
    case 'manual':
      return false;
  }
}

function matchKind(header: string, field: TargetField): MatchKind {
  for (const kind of ['exact', 'normalized', 'synonym', 'close'] as const)
    if (matches(kind, header, field)) return kind;
  return 'manual';
}

/**
 * Which required fields a mapping must give a column, under these options: every one, unless the
 * target's `requires` says a row may go without it (users found by another key than email need an
 * Email column only to create users, which their rows then say; a default action of `delete` needs
 * only the key). Asked of a row with no values, that is of the import-wide defaults.
 */
export function mappingNeeds<Env, Own>(
  target: Pick<ImportTarget<Env, Own>, 'requires'>,
  options: ImportOptions,
): (field: TargetField) => boolean {
  const requires = target.requires?.bind(target);
  if (!requires) return () => true;
  const run = runOptions(options) as RunOptions<Own>;
  return (field) => requires(field, {}, run);
}

/**
 * Describes a mapping for the admin: what matched how, what is ignored, what is missing (a required
 * field without a column, of those `needs` keeps: `mappingNeeds` of the import's target and options).
 */
export function describeMapping(
  header: readonly string[],
  fields: readonly TargetField[],
  mapping: Mapping,
  needs: (field: TargetField) => boolean,
): MappingReport {
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const columns: ColumnMatch[] = header.map((h, index) => {
    const key = mapping.columns[index] ?? null;
    const field = key === null ? undefined : byKey.get(key);
    if (!field) return { index, header: h, field: null, match: null, confidence: 0 };
    const kind = matchKind(h, field);
    return { index, header: h, field: field.key, match: kind, confidence: CONFIDENCE[kind] };
  });
  const mapped = new Set(columns.map((c) => c.field).filter((f): f is string => f !== null));
  const missingRequired = fields
    .filter((f) => f.required && f.default === undefined && !mapped.has(f.key) && needs(f))
    .map((f) => f.key);
  return {
    columns,
    unknownColumns: columns.filter((c) => c.field === null && c.header.trim() !== '').map((c) => c.header),
    missingRequired,
    complete: missingRequired.length === 0,
  };
}

/** A problem with a mapping, naming the part of it at fault (`columns`, `columns.3`). */
export type MappingProblem = { field: string; code: string; message: string };

/** Checks a mapping the admin sent: right length, known fields, each field at most once. */
export function checkMapping(
  header: readonly string[],
  fields: readonly TargetField[],
  mapping: Mapping,
): MappingProblem[] {
  const problems: MappingProblem[] = [];
  if (mapping.columns.length !== header.length) {
    problems.push({
      field: 'columns',
      code: 'mapping.wrong_length',
      message: `The mapping names ${mapping.columns.length} column(s) but the file has ${header.length}.`,
    });
  }
  const keys = new Set(fields.map((f) => f.key));
  const seen = new Map<string, number>();
  mapping.columns.forEach((key, i) => {
    if (key === null) return;
    if (!keys.has(key))
      problems.push({
        field: `columns.${i}`,
        code: 'mapping.unknown_field',
        message: `Column ${i + 1} is mapped to "${key}", which this target does not have.`,
      });
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        field: `columns.${i}`,
        code: 'mapping.field_twice',
        message: `"${key}" is mapped from both "${header[first]}" and "${header[i]}"; choose one.`,
      });
    }
    seen.set(key, i);
  });
  return problems;
}
