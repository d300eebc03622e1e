import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Database } from '../schema.js';

/** Above every character: `key < prefix + MAX_CHAR` ends the range of keys that start with `prefix`. */
const MAX_CHAR = '\u{10FFFF}';

/**
 * `column` starts with `prefix`, as a range on the column (`>= prefix and < prefix + MAX_CHAR`), which
 * an index on the folded key serves on both databases where `like 'x%'` would not.
 */
export function startsWith<TB extends keyof Database>(
  eb: ExpressionBuilder<Database, TB>,
  column: Parameters<ExpressionBuilder<Database, TB>>[0],
  prefix: string,
): Expression<SqlBool> {
  return eb.and([eb(column, '>=', prefix), eb(column, '<', `${prefix}${MAX_CHAR}`)]);
}
