import { z } from 'zod';
import { ATTRIBUTE_TYPES } from '../core/domain/attributes.js';
import { fieldChangeSchema } from '../core/domain/changes.js';
import { IMPORT_STATUSES } from '../core/import/status.js';
import { csv, id, idText } from './schemas.js';

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
      owners: z
        .object({
          done: z.number(),
          total: z.number(),
          current: z.object({ userId: z.number(), name: z.string() }).nullable(),
        })
        .optional()
        .describe('On imports grouped by owner: the owners of the latest commit done, and the one in hand'),
    }),
    counts: Counts,
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    rollback: z.record(z.string(), z.unknown()).nullable(),
    duplicateOf: z.number().nullable(),
    warnings: z.array(z.string()),
    rollbackImpact: z
      .object({
        changedSince: z
          .number()
          .describe('What the import wrote and was changed or deleted since: a rollback leaves it'),
        activatedSince: z.number().describe('Of those, users who activated their account since the import'),
      })
      .nullable()
      .describe(
        'What a rollback would leave as it is; given by GET /imports/{id} while the import can be rolled back, null otherwise',
      ),
    owners: z
      .object({
        total: z.number(),
        included: z.number(),
        pending: z.number(),
        imported: z.number(),
        skipped: z.number(),
        failed: z.number(),
        rolledBack: z.number(),
        unmatchedRows: z.number(),
        current: z
          .number()
          .nullable()
          .describe('The user id of the next included, pending owner in file order'),
      })
      .nullable()
      .describe('Imports whose target is grouped by owner (`groupedBy`): where the owners are; else null'),
  })
  .meta({ id: 'Import' });

const OwnerState = z.enum(['pending', 'queued', 'importing', 'imported', 'skipped', 'failed', 'rolled_back']);

export const ImportOwners = z
  .object({
    owners: z.array(
      z.object({
        userId: z.number(),
        name: z.string(),
        email: z.string(),
        employeeNumber: z.string().nullable(),
        rows: z.number(),
        valid: z.number(),
        invalid: z.number(),
        firstRow: z.number(),
        included: z.boolean(),
        state: OwnerState,
        result: z
          .object({
            created: z.number(),
            updated: z.number(),
            unchanged: z.number(),
            skipped: z.number(),
            failed: z.number(),
          })
          .nullable(),
      }),
    ),
    unmatched: z.array(
      z.object({ value: z.string(), rows: z.number(), firstRow: z.number(), hint: z.string() }),
    ),
    unmatchedRows: z.number(),
    limits: z.object({ maxOwners: z.number(), maxRows: z.number() }),
  })
  .meta({ id: 'ImportOwners' });

const OwnerIds = z.array(id()).max(10_000);
export const OwnersExclude = z
  .object({ excluded: OwnerIds.describe('User ids of the owners whose Import box is off') })
  .strict();
export const OwnersChoice = z.object({ owners: OwnerIds.min(1) }).strict();
export const CommitChoice = z
  .object({
    owners: OwnerIds.min(1)
      .optional()
      .describe("Only these owners (user ids); without it every included pending owner's rows"),
    firstRows: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .optional()
      .describe(
        'Only the first N valid rows not committed yet, in file order: the import then stays `partly_committed`, to be rolled back, or committed on by a commit without `firstRows`. N at least the valid rows left commits them all. Not for imports grouped by owner or all-or-nothing ones.',
      ),
    confirmDeletes: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'An import whose rows delete users (`planned.delete`) is committed only with this number equal to it, as the console asks the admin to confirm; otherwise 409 `import.confirm_deletes`, nothing changed',
      ),
  })
  .strict()
  // No body at all (a bare POST) reads as null.
  .nullish();

export const OptionalOwnersChoice = z
  .object({
    owners: OwnerIds.min(1)
      .optional()
      .describe(
        'Only these owners (user ids); without it every included pending owner (commit) or everything (rollback)',
      ),
  })
  .strict()
  // No body at all (a bare POST) reads as null.
  .nullish();

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

/** The one shape of a diff (core/domain/changes.ts), named in the API document. */
export const FieldChange = fieldChangeSchema.meta({ id: 'FieldChange' });

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
    owner: z
      .number()
      .nullable()
      .describe('The owner (user id) the row resolved to, on imports grouped by owner'),
    changes: z
      .array(FieldChange)
      .nullable()
      .describe(
        "An update's fields before → after (empty: it changes nothing, and will be unchanged): as checked, then as committed; null for other rows or targets that give none",
      ),
  })
  .meta({ id: 'StagedRow' });

export const RowsPage = z.object({
  items: z.array(StagedRow),
  total: z.number(),
  offset: z.number().describe('Position of the first item among the rows that pass the filter'),
  nextCursor: z.string().nullable(),
});

export const ImportList = z.object({
  items: z.array(ImportView),
  nextCursor: z.string().nullable(),
  startedBy: z
    .array(z.string())
    .describe('Who started the imports this admin can see (values of `createdBy`), for the history filter'),
});

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Give a date as YYYY-MM-DD.')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), 'There is no such date.');

export const ImportListQuery = z
  .object({
    before: idText().optional().describe('Imports older than this id (the cursor of the page before)'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    status: csv(z.enum(IMPORT_STATUSES)).optional().describe('One or more statuses, comma separated'),
    target: z.string().max(100).optional(),
    createdBy: z.string().max(300).optional().describe('Who started it, as `createdBy` shows it'),
    from: day.optional().describe('Started on or after this day (UTC), YYYY-MM-DD'),
    to: day.optional().describe('Started on or before this day (UTC), YYYY-MM-DD'),
    q: z.string().trim().min(1).max(200).optional().describe("Part of the file's name, any case"),
  })
  .strict()
  .refine((v) => v.from === undefined || v.to === undefined || v.from <= v.to, {
    message: 'The end of the date range is before its start.',
    path: ['to'],
  });

export const RowsQuery = z
  .object({
    filter: z
      .enum(['all', 'valid', 'invalid', 'unchanged'])
      .default('all')
      .describe('`unchanged`: updates that change nothing'),
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
    owner: z.coerce
      .number()
      .int()
      .min(1)
      .max(2_147_483_647)
      .optional()
      .describe("Only this owner's rows (a user id), on imports grouped by owner"),
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
/** How to read an import's kept file again (PUT /imports/{id}/source); empty or left out: detected. */
export const ReadChoicesInput = z
  .object({
    encoding: z.string().max(40).optional(),
    delimiter: z.string().max(20).optional(),
    sheet: z.string().max(200).optional(),
  })
  .strict();

export const TemplateQuery = z
  .object({
    format: z.enum(['csv', 'xlsx']).default('xlsx'),
    includeExisting: z.enum(['true', 'false']).default('false'),
    /** The customer whose sites the XLSX template's drop-down lists (a scoped admin's own, whatever is asked). */
    customerId: idText().optional(),
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
    groupedBy: z
      .object({ field: z.string(), noun: z.literal('user') })
      .nullable()
      .describe(
        'Rows grouped by owner (the field naming it; owners are portal users): the import is selected, committed, skipped and rolled back owner by owner',
      ),
    customAttributes: z
      .boolean()
      .describe(
        'Whether the target takes custom attributes (fields `attr.<key>`): the review may then create one for an unmapped column',
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

const MissingName = z.string().max(200).describe('Its name (the text the rows hold)');
export const MissingInput = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('site'),
        column: FixColumn,
        name: MissingName,
        customerId: z
          .number()
          .int()
          .positive()
          .optional()
          .describe("The customer it is a site of; without it, the import's customer"),
      })
      .strict(),
    z.object({ kind: z.literal('role'), column: FixColumn, name: MissingName }).strict(),
    z.object({ kind: z.literal('group'), column: FixColumn, name: MissingName }).strict(),
    z
      .object({
        kind: z.literal('attribute'),
        column: FixColumn.describe('An unmapped column of the file: it is mapped to the new attribute'),
        key: z.string().max(63).describe('The attribute key: lower-case letters, digits and underscores'),
        label: z.string().max(200).optional().describe("Its label; without it, the column's header"),
        type: z.enum(ATTRIBUTE_TYPES).optional().describe('Its type; text unless said'),
        options: z
          .array(z.string().max(200))
          .max(500)
          .optional()
          .describe('The allowed values of a list (enum)'),
      })
      .strict(),
  ])
  .describe(
    'What the review creates: a site, portal role or group rows name but that does not exist (the rows with a problem on the column are checked again), or a custom attribute for an unmapped column (mapped to it, every row checked again)',
  );

export const FixView = z
  .object({
    id: z.number(),
    kind: z.enum(['suggestion', 'valueMap', 'replace', 'create']),
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
