import type { z } from 'zod';
import type { FieldChange } from '../domain/changes.js';
import type { CellValue } from './cells.js';
import type { DateOrderChoice } from './dates.js';
import type { RowProblem } from './problems.js';

/**
 * A target is a declaration the engine reads: its fields, its natural key, the modes it allows,
 * how a mapped row is checked against the directory, and how a batch of valid rows is written.
 * The engine never branches on a target's name; a new target is a new declaration.
 */
export type FieldType = 'text' | 'email' | 'number' | 'date' | 'boolean' | 'enum';
export type ImportMode = 'insert' | 'update' | 'upsert';

export interface TargetField {
  /** Key of the value in a mapped row. */
  key: string;
  /** The template's column header. */
  column: string;
  label: string;
  type: FieldType;
  required: boolean;
  /** Applied when the cell is empty (after normalisation). */
  default?: string;
  /** Several values in one cell, separated by `;` or `|`. */
  multi?: boolean;
  allowed?: readonly string[];
  /** Allowed values compared exactly (portal role names are). */
  caseSensitive?: boolean;
  maxLength?: number;
  description: string;
  /** Other headers that mean this field, for automatic mapping. */
  synonyms?: readonly string[];
  /** Two rows with the same value (ignoring case) are duplicates; the later one points at the first. */
  uniqueInFile?: boolean;
  /**
   * With `uniqueInFile`: unique only among rows that also share these fields' values (a record's
   * key is unique per owner); `description` says so in the duplicate's message ("the same owner").
   */
  uniqueWithin?: { fields: readonly string[]; description: string };
}

export type MappedRow = Record<string, CellValue>;

/** What the file's row became: values by field key, and the column each came from. */
export interface RowInput {
  row: number;
  values: MappedRow;
  /** Field key → the column header it was read from (for problem messages). */
  columns: Record<string, string>;
  /** Field key → the cell's original text. */
  raw: Record<string, string>;
}

/** The choices every import has, whatever its target. */
export interface GeneralOptions {
  mode: ImportMode;
  emptyCells: 'keep' | 'clear';
  atomic: boolean;
  /** The customer rows belong to when the file does not say; forced to the admin's scope. */
  customerId: number | null;
  /** How dates like 03/04/2025 read: inferred per column (`auto`), or day-, month- or year-first. */
  dateOrder: DateOrderChoice;
}

export const GENERAL_OPTION_KEYS: readonly (keyof GeneralOptions)[] = [
  'mode',
  'emptyCells',
  'atomic',
  'customerId',
  'dateOrder',
];

/**
 * The admin's choices for one import, as stored and shown: the general ones, and the target's own
 * under `targetOptions` (read by the target's `options.schema`, which gives every one a default).
 */
export interface ImportOptions extends GeneralOptions {
  targetOptions: Record<string, unknown>;
}

/** Options as an admin gives them: any of the general ones, and any of the target's own. */
export type OptionsInput = Partial<GeneralOptions> & { targetOptions?: Record<string, unknown> | undefined };

export const DEFAULT_OPTIONS: GeneralOptions = {
  mode: 'upsert',
  emptyCells: 'keep',
  atomic: false,
  customerId: null,
  dateOrder: 'auto',
};

/**
 * What a target's check and commit read: the general options with the target's own beside them
 * (their names never clash: the registry refuses a target whose option is named like a general one).
 */
export type RunOptions<Own = Record<string, unknown>> = GeneralOptions & Own;

export function runOptions(options: ImportOptions): RunOptions {
  const { targetOptions, ...general } = options;
  return { ...targetOptions, ...general };
}

/** Something wrong with a target's option: where (its path inside the target's options) and what. */
export interface OptionIssue {
  path: readonly (string | number)[];
  message: string;
}

/**
 * A target's own options. The schema is a zod object with a default for every key; the API checks
 * them with it, the OpenAPI document and `GET /import-targets` show it as JSON Schema, and the
 * console's options step is drawn from that. Metadata (`.meta`) the console reads: `title` (the
 * label), `description`, `labels` (an enum's value → label), `widget` (`groups`, `user`,
 * `invitations`: a picker or a control of its own), `placeholder`, `missing` (what to say while
 * a required value is not chosen), `shownWhen` (the boolean option it is shown under), and
 * `permission` (a boolean option only admins holding that permission may turn on).
 */
export interface TargetOptions<Env, Own> {
  schema: z.ZodType<Own>;
  /**
   * Checks options the schema accepted against the directory as the admin sees it (the
   * environment is bound to the admin's scope): e.g. that the groups named exist.
   */
  check?(options: Own, env: Env): Promise<OptionIssue[]>;
}

/** `delete`: the row removes the record it matched (a target that allows it says so in its check). */
export type PlannedAction = 'create' | 'update' | 'delete' | 'skip';
export type ResultAction =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'deleted'
  | 'disabled'
  | 'enabled'
  | 'skipped'
  | 'failed';

/** A row checked against the directory: its problems and, when valid, what a commit would do. */
export interface CheckedRow {
  problems: RowProblem[];
  action: PlannedAction | null;
  /** Why the row is skipped, in words (insert of an existing user, update of a missing one). */
  skipReason?: string;
  /** The existing record the row's key matched, when the target looked it up. */
  existingId?: number;
  /** On a target grouped by owner (`groupedBy`): the group (owner) the row resolved to, or null. */
  group?: number | null;
  /**
   * For an update: the fields it will change, before → after (empty: it changes nothing, and will
   * be `unchanged`). A target that does not say leaves the review without a diff.
   */
  changes?: FieldChange[];
}

/**
 * A target whose rows each belong to a group (records: to the portal user who owns them) declares
 * it: the engine then stores each staged row's group, and the use cases offer the group by group
 * flow (select, commit, skip, roll back per group) without knowing what a group is beyond `noun`.
 */
export interface GroupedBy<Env, Own> {
  /** The field whose value names the row's group. */
  field: string;
  /** What a group is, for people and for the API (`user`: groups are portal users' ids). */
  noun: 'user';
  /**
   * The groups of rows the check did not look at (rows with problems in their cells): by the same
   * rules as the check, null where the value names none.
   */
  resolve(rows: readonly RowInput[], env: Env, options: RunOptions<Own>): Promise<(number | null)[]>;
  /**
   * What to tell the admin about a value that named no group (where to look, what to compare);
   * `codes`: the error codes of the rows naming it (why the value named none).
   */
  hint(value: string, options: RunOptions<Own>, codes: readonly string[]): string;
}

/**
 * A row a commit writes: checked in the commit's own transaction just before, so its planned
 * action and the record it matched hold while it is written, and the target need not look again.
 */
export interface WritableRow extends RowInput {
  action: 'create' | 'update' | 'delete';
  existingId: number | null;
}

export interface RowResult<Before = unknown> {
  row: number;
  action: ResultAction;
  entityId: number | null;
  message: string | null;
  /**
   * The restore point's entry for the entity this row created or changed (`entityId`): saved in
   * the commit's transaction with the row's result, and handed back to the target's undo.
   */
  restore?: Omit<RecordedChange<Before>, 'entityId'>;
  /** For an update: what it changed (the engine fills it from the commit's own check). */
  changes?: FieldChange[];
}

/** What a commit recorded about one entity it wrote: one entry of the import's restore point. */
export interface RecordedChange<Before> {
  entityId: number;
  change: 'created' | 'updated' | 'deleted';
  /** The entity as it was before an update or a delete; null for one the import created. */
  before: Before | null;
  /** The version the import left the entity at: the undo touches it only while it still is. */
  versionAfter: number;
}

/** What an undo did with one recorded entity. */
export type UndoOutcome =
  | { entityId: number; outcome: 'deleted' | 'restored' }
  /** Left alone (changed or deleted since the import), with a label people recognise and why. */
  | { entityId: number; outcome: 'conflict'; label: string | null; reason: string };

/**
 * A target's restore point and undo. Its commit returns, with each row it wrote, what to record
 * (`RowResult.restore`); the rollback hands the recorded changes back, a batch at a time, to `undo`,
 * which deletes what the import created, restores what it changed, and reports (and leaves alone)
 * whatever changed since. `core/import/restore.ts` builds an undo from three storage primitives.
 */
export interface RestorePoint<Env, Before> {
  /** How the restore point names this target's entities (`import_changes.entity_type`). */
  entityType: string;
  /** Undoes a batch of recorded changes inside the caller's transaction; one outcome per change. */
  undo(changes: readonly RecordedChange<Before>[], env: Env): Promise<UndoOutcome[]>;
}

/**
 * The target-specific half of the engine. `Env` is what the target needs from the world (its
 * lookups and its store), provided by the application layer; the engine only passes it through.
 */
export interface ImportTarget<Env, Own = Record<string, unknown>, Before = unknown> {
  name: string;
  label: string;
  description: string;
  modes: readonly ImportMode[];
  /** The field whose value identifies an existing record. */
  keyField: string;
  fields(env: Env): TargetField[];
  /** The target's own options, beside the general ones; none when absent. */
  options?: TargetOptions<Env, Own>;
  /**
   * Values from the directory a template offers in a drop-down list, by field key (a customer's
   * sites, the active portal roles): for the customer the template is made for (null: none chosen).
   */
  templateChoices?(env: Env, customerId: number | null): Record<string, readonly string[]>;
  /**
   * Whether a row must give a required field (`TargetField.required`); absent: every row must.
   * A target whose rows say what they do (delete by key alone) answers per row.
   */
  requires?(field: TargetField, values: MappedRow, options: RunOptions<Own>): boolean;
  /** Checks a batch of mapped rows against the directory, without changing anything. */
  check(rows: readonly RowInput[], env: Env, options: RunOptions<Own>): Promise<CheckedRow[]>;
  /**
   * Current records as template rows (cell text by field key), for a download–edit–upload round
   * trip; pages of `limit` after the record `after` (0 to start).
   */
  existing?(
    env: Env,
    after: number,
    limit: number,
  ): Promise<{ cursor: number; cells: Record<string, string> }[]>;
  /**
   * The records with these ids, as template rows in the same order, leaving out any outside the
   * admin's scope: an export of a selection (a filtered list) that can be edited and uploaded back.
   */
  existingOf?(env: Env, ids: readonly number[]): Promise<{ cursor: number; cells: Record<string, string> }[]>;
  /**
   * Writes a batch of rows checked valid, inside the caller's transaction: one result per row, with
   * the restore point's entry of every entity it created or changed.
   */
  commit(
    rows: readonly WritableRow[],
    env: Env,
    options: RunOptions<Own>,
    importId: number,
  ): Promise<RowResult<Before>[]>;
  /** What the commit records of each entity it writes, and how a rollback undoes it. */
  restorePoint: RestorePoint<Env, Before>;
  /** Rows grouped by owner: imported, skipped and rolled back group by group. */
  groupedBy?: GroupedBy<Env, Own>;
}
