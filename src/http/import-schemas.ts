import { z } from 'zod';
import { IMPORT_STATUSES } from '../core/import/status.js';
import { id, idText } from './schemas.js';

/** Shapes of the import API. */
const TargetOptionsValue = z
  .record(z.string(), z.unknown())
  .describe(
    "The target's own options: each target's are listed, as JSON Schema, in `options` of GET /import-targets and as the `TargetOptions.<target>` schemas of this document. Checked against the import's target.",
  );
const ImportOptionsShape = {
  mode: z.enum(['insert', 'update', 'upsert']),
  emptyCells: z.enum(['keep', 'clear']).describe('On update, an empty cell keeps the value or clears it'),
  atomic: z.boolean().describe('All or nothing: nothing is imported while any row is invalid'),
  customerId: id().nullable(),
  dateOrder: z
    .enum(['auto', 'DMY', 'MDY', 'YMD'])
    .describe(
      'How dates like 03/04/2025 read: `auto` infers the order per column from its values (a first part above 12 is day-first) and from the file (a `;` file leans day-first), refusing only values nothing decides; or day-, month- or year-first',
    ),
  targetOptions: TargetOptionsValue,
};
export const ImportOptionsInput = z
  .object(ImportOptionsShape)
  .partial()
  .strict()
  .describe(
    'Any of the general options; `targetOptions` holds the target’s own, laid key by key over the current ones (missing ones take their defaults).',
  );
export const ImportOptionsView = z.object(ImportOptionsShape);

export const MappingInput = z
  .object({
    columns: z
      .array(z.string().max(100).nullable())
      .max(500)
      .describe('The field key for each column of the file, in order; null ignores the column'),
  })
  .strict();

const Counts = z.record(z.string(), z.number());

export const ImportView = z
  .object({
    id: z.number(),
    target: z.string(),
    status: z.enum(IMPORT_STATUSES),
    customerId: z.number().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    file: z.object({
      name: z.string(),
      size: z.number(),
      sha256: z.string(),
      format: z.string(),
      meta: z.record(z.string(), z.unknown()),
    }),
    header: z.array(z.string()),
    mapping: z.object({
      columns: z.array(
        z.object({
          index: z.number(),
          header: z.string(),
          field: z.string().nullable(),
          match: z.enum(['exact', 'normalized', 'synonym', 'close', 'manual']).nullable(),
          confidence: z.number(),
        }),
      ),
      unknownColumns: z.array(z.string()),
      missingRequired: z.array(z.string()),
      complete: z.boolean(),
    }),
    options: ImportOptionsView,
    rows: z.object({ total: z.number(), valid: z.number(), invalid: z.number() }),
    planned: Counts,
    errorCodes: Counts,
    progress: z.object({
      done: z.number(),
      total: z.number(),
      ratePerSecond: z.number().nullable(),
      etaSeconds: z.number().nullable(),
    }),
    counts: Counts,
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    rollback: z.record(z.string(), z.unknown()).nullable(),
    duplicateOf: z.number().nullable(),
    warnings: z.array(z.string()),
  })
  .meta({ id: 'Import' });

export const RowProblem = z.object({
  row: z.number(),
  column: z.string().nullable(),
  value: z.string().nullable(),
  code: z.string(),
  message: z.string(),
  severity: z.enum(['error', 'warning']),
  source: z.enum(['cell', 'row', 'file', 'commit']),
  suggestion: z.string().optional().describe('The value the file most likely meant; a fix can apply it'),
});

export const StagedRow = z
  .object({
    row: z.number(),
    cells: z.array(z.string()),
    valid: z.boolean(),
    action: z.string().nullable(),
    problems: z.array(RowProblem),
    result: z.string().nullable(),
    resultId: z.number().nullable(),
    resultMessage: z.string().nullable(),
  })
  .meta({ id: 'StagedRow' });

export const RowsPage = z.object({
  items: z.array(StagedRow),
  total: z.number(),
  offset: z.number().describe('Position of the first item among the rows that pass the filter'),
  nextCursor: z.string().nullable(),
});

export const ImportList = z.object({ items: z.array(ImportView), nextCursor: z.string().nullable() });

export const RowsQuery = z
  .object({
    filter: z.enum(['all', 'valid', 'invalid']).default('all'),
    code: z.string().max(100).optional().describe('Only rows with this problem code'),
    after: z.coerce
      .number()
      .int()
      .min(0)
      .max(2_147_483_647)
      .optional()
      .describe('Row number to continue after (keyset paging)'),
    offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

export const RowParams = z.object({ id: idText(), row: idText() }).strict();

export const RowFix = z
  .object({
    cells: z
      .record(z.string().max(200), z.string().max(10_000))
      .describe('New cell texts by column header (or 0-based column index)'),
  })
  .strict();

export const FileParams = z
  .object({ id: idText(), kind: z.enum(['original', 'success', 'failure']) })
  .strict();
export const FormatQuery = z.object({ format: z.enum(['csv', 'xlsx']).default('csv') }).strict();

export const TargetParams = z.object({ target: z.string().max(50) }).strict();
export const TemplateQuery = z
  .object({
    format: z.enum(['csv', 'xlsx']).default('xlsx'),
    includeExisting: z.enum(['true', 'false']).default('false'),
  })
  .strict();

export const TargetField = z.object({
  key: z.string(),
  column: z.string(),
  label: z.string(),
  type: z.string(),
  required: z.boolean(),
  default: z.string().optional(),
  multi: z.boolean().optional(),
  allowed: z.array(z.string()).readonly().optional(),
  caseSensitive: z.boolean().optional(),
  maxLength: z.number().optional(),
  description: z.string(),
  synonyms: z.array(z.string()).readonly().optional(),
  uniqueInFile: z.boolean().optional(),
});

export const TargetDescription = z
  .object({
    name: z.string(),
    label: z.string(),
    description: z.string(),
    modes: z.array(z.string()).readonly(),
    keyField: z.string(),
    fields: z.array(TargetField),
    options: z
      .record(z.string(), z.unknown())
      .describe(
        "The target's own options (`targetOptions` of an import) as JSON Schema, with defaults; the metadata the console draws its options step from (title, description, labels, widget, placeholder, missing, shownWhen) included",
      ),
  })
  .meta({ id: 'ImportTarget' });

export const Notification = z.object({
  id: z.number(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  importId: z.number().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export const Notifications = z.object({ items: z.array(Notification), unread: z.number() });
export const MarkRead = z.object({ ids: z.union([z.array(id()).max(1000), z.literal('all')]) }).strict();

export const ConfigInput = z
  .object({
    name: z.string().min(1).max(100),
    target: z.string().max(50),
    mapping: z
      .record(z.string().max(200), z.string().max(100).nullable())
      .describe('Field key by column header'),
    options: ImportOptionsInput,
  })
  .strict();

export const ImportConfig = z
  .object({
    id: z.number(),
    name: z.string(),
    target: z.string(),
    mapping: z.record(z.string(), z.string().nullable()),
    options: ImportOptionsInput,
    customerId: z
      .number()
      .nullable()
      .describe(
        'The customer it belongs to (the scope of the admin who saved it); null: shared by every customer, changed only by admins without a scope',
      ),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ImportConfig' });

/** Bulk fixes of the review (`/imports/{id}/fixes`). */
const FixColumn = z
  .string()
  .min(1)
  .max(200)
  .describe('The file column, by its header (or 0-based index as text)');
export const FixInput = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('suggestion'),
        column: FixColumn,
        value: z.string().max(10_000).describe('The cell text the suggestion replaces'),
        suggestion: z.string().max(10_000),
        row: z
          .number()
          .int()
          .min(1)
          .optional()
          .describe('Only this row; without it, every cell of the column holding `value`'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('valueMap'),
        column: FixColumn,
        map: z
          .record(z.string().max(10_000), z.string().max(10_000))
          .refine((m) => Object.keys(m).length > 0, 'Give at least one value to replace.')
          .refine((m) => Object.keys(m).length <= 1000, 'At most 1,000 values in one map.')
          .describe('Whole cell texts (exactly, as in the file) → their replacement'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('replace'),
        column: FixColumn,
        find: z.string().min(1).max(1000).describe('Text to find within the cells (case-sensitive)'),
        replace: z.string().max(1000),
      })
      .strict(),
  ])
  .describe(
    'One bulk fix: applied to every matching row in one statement, then those rows are checked again',
  );

export const FixView = z
  .object({
    id: z.number(),
    kind: z.enum(['suggestion', 'valueMap', 'replace']),
    columnIndex: z.number(),
    column: z.string(),
    details: z.record(z.string(), z.unknown()),
    rowsChanged: z.number(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'ImportFix' });

export const FixResult = z.object({ fix: FixView, import: ImportView });
export const FixList = z.object({ items: z.array(FixView) });

export const InvalidValuesQuery = z
  .object({
    column: FixColumn,
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

export const InvalidValues = z.object({
  column: z.string(),
  columnIndex: z.number(),
  values: z.array(z.object({ value: z.string(), count: z.number() })),
  distinct: z.number().describe('How many distinct values there are (values lists at most `limit`)'),
});
