import { z } from 'zod';
import { fieldChangeSchema } from '../core/domain/changes.js';
import { AppError } from '../core/errors.js';

/**
 * JSON kept in text columns is read back through the shape that wrote it, so that a value not in
 * that shape (a hand edit, a bug) is found where it is read, by name, rather than somewhere later.
 */
export function readJson<T>(text: string, schema: z.ZodType<T>, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw storedDataError(what, 'it is not JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw storedDataError(what, parsed.error.issues[0]?.message ?? 'wrong shape');
  return parsed.data;
}

/**
 * A list of strings, checked without a schema library: staged cells are read a million times
 * in a large commit, and this check costs next to nothing.
 */
export function readStringList(text: string, what: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw storedDataError(what, 'it is not JSON');
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw storedDataError(what, 'it is not a list of texts');
  return value as string[];
}

function storedDataError(what: string, why: string): AppError {
  return new AppError(
    'internal.stored_data',
    500,
    `Stored ${what} cannot be read (${why}). The database holds a value Roster did not write.`,
    { what },
  );
}

export const jsonObject = z.record(z.string(), z.unknown());
export const attributeValues = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
export const rowProblems = z.array(
  z.object({
    row: z.number(),
    column: z.string().nullable(),
    value: z.string().nullable(),
    code: z.string(),
    message: z.string(),
    severity: z.enum(['error', 'warning']),
    source: z.enum(['cell', 'row', 'file', 'commit']),
    suggestion: z.string().optional(),
  }),
);

/** An update's diff (core/domain/changes.ts), as staged with its row and kept in audit details. */
export const fieldChanges = z.array(fieldChangeSchema);

// The shapes of the imports' JSON columns, as the import use cases write them.
const importModes = z.enum(['insert', 'update', 'upsert']);
const generalOptions = {
  mode: importModes,
  emptyCells: z.enum(['keep', 'clear']),
  atomic: z.boolean(),
  customerId: z.number().nullable(),
  dateOrder: z.enum(['auto', 'DMY', 'MDY', 'YMD']),
  targetOptions: jsonObject,
};
export const importOptions = z.object({
  ...generalOptions,
  // Imports stored before the date order option read as `auto`, its default.
  dateOrder: generalOptions.dateOrder.default('auto'),
});
/** A saved configuration's options: any of an import's, never a customer. */
export const configOptions = z.object(generalOptions).partial();
export const columnMapping = z.object({ columns: z.array(z.string().nullable()) });
export const mappingByHeader = z.record(z.string(), z.string().nullable());
export const countsByName = z.record(z.string(), z.number());
export const plannedCounts = z.object({
  actions: countsByName.default({}),
  errorCodes: countsByName.default({}),
});
export const importError = z.object({ code: z.string(), message: z.string() });
export const recordFields = z.record(z.string(), z.string().nullable());
