import { z } from 'zod';

/**
 * What a change did to one field of an entity, as people read it: a value before and after (names,
 * not ids), or for a list (roles, groups) the entries added and removed. The same shape travels from
 * an import's check (staged with the row, shown in the review) to its success file and to the
 * entity's history, whatever target or edge made the change.
 */
export const fieldChangeSchema = z.union([
  z.object({
    field: z.string(),
    label: z.string(),
    before: z.string().nullable(),
    after: z.string().nullable(),
  }),
  z.object({
    field: z.string(),
    label: z.string(),
    added: z.array(z.string()).describe('Entries of a list (roles, groups) added, by name'),
    removed: z.array(z.string()).describe('Entries of the list removed, by name'),
  }),
]);
export type FieldChange = z.infer<typeof fieldChangeSchema>;

const shown = (v: string | null) => (v === null || v === '' ? '(empty)' : v);

/** One line for a file or a log: `last_name: Smith → Smyth; roles: +Manager -Staff`. */
export function describeChanges(changes: readonly FieldChange[]): string {
  return changes
    .map((c) =>
      'added' in c
        ? `${c.field}: ${[...c.added.map((n) => `+${n}`), ...c.removed.map((n) => `-${n}`)].join(' ')}`
        : `${c.field}: ${shown(c.before)} → ${shown(c.after)}`,
    )
    .join('; ');
}
