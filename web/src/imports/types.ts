// Shapes of the import API, inferred from its zod schemas (type-only: nothing from the server is
// bundled), so that the console and the API cannot drift apart.
import type { z } from 'zod';
import type {
  FixInput as FixInputSchema,
  FixView as FixViewSchema,
  ImportConfig as ImportConfigSchema,
  ImportList as ImportListSchema,
  ImportOptionsInput,
  ImportView,
  InvalidValues as InvalidValuesSchema,
  MissingInput as MissingInputSchema,
  RowProblem as RowProblemSchema,
  RowsPage as RowsPageSchema,
  StagedRow as StagedRowSchema,
  TargetDescription,
} from '../../../src/http/import-schemas.js';
import type { EmailPage as EmailPageSchema } from '../../../src/http/mail-schemas.js';
import type {
  Customer as CustomerSchema,
  Group as GroupSchema,
  Settings as SettingsSchema,
} from '../../../src/http/schemas.js';

export type Import = z.infer<typeof ImportView>;
export type ImportStatus = Import['status'];
export type ImportOptions = Import['options'];
export type ImportOptionsChange = z.input<typeof ImportOptionsInput>;
export type MappingColumn = Import['mapping']['columns'][number];
export type ImportList = z.infer<typeof ImportListSchema>;
export type StagedRow = z.infer<typeof StagedRowSchema>;
export type RowProblem = z.infer<typeof RowProblemSchema>;
export type RowsPage = z.infer<typeof RowsPageSchema>;
export type ImportTarget = z.infer<typeof TargetDescription>;
export type TargetField = ImportTarget['fields'][number];
export type ImportConfig = z.infer<typeof ImportConfigSchema>;
export type FixInput = z.input<typeof FixInputSchema>;
export type ImportFix = z.infer<typeof FixViewSchema>;
export type MissingInput = z.input<typeof MissingInputSchema>;
export type InvalidValues = z.infer<typeof InvalidValuesSchema>;
export type EmailPage = z.infer<typeof EmailPageSchema>;
export type Customer = z.infer<typeof CustomerSchema>;
export type Group = z.infer<typeof GroupSchema>;
export type Settings = z.infer<typeof SettingsSchema>;

/** Rows shown in the review: all, the valid or the invalid ones, or updates that change nothing. */
export type RowFilter = 'all' | 'valid' | 'invalid' | 'unchanged';

/** What the rollback job reports (the API keeps it as an open record). */
export interface RollbackReport {
  deleted: number;
  restored: number;
  conflictCount: number;
  conflicts: { entityType: string; entityId: number; label: string | null; reason: string }[];
  finishedAt: string;
}
