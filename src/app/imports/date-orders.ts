import { type DateColumnOrder, DateOrders, leaningOf, savedOrders } from '../../core/import/dates.js';
import { dateColumns, type ValidationPlan } from '../../core/import/engine.js';
import type { ImportOptions } from '../../core/import/target.js';

/** The date orders of an import's plan: its option, with the orders its columns proved when staged. */
export function dateOrdersOf(
  options: Pick<ImportOptions, 'dateOrder'>,
  fileMeta: Record<string, unknown>,
): DateOrders {
  return new DateOrders(options.dateOrder, leaningOf(fileMeta.delimiter), savedOrders(fileMeta.dateOrders));
}

/** The order of every column mapped to a date field, as the import's view shows it (`file.meta.dateOrders`). */
export function describeDateOrders(
  plan: Pick<ValidationPlan<unknown>, 'fields' | 'mapping' | 'header' | 'dates'>,
): DateColumnOrder[] {
  if (!plan.dates) return [];
  return plan.dates.describe(
    dateColumns(plan).map((index) => ({ index, header: plan.header[index] ?? `Column ${index + 1}` })),
  );
}
