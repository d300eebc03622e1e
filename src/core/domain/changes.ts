/**
 * What a change did to one field of an entity, as people read it: a value before and after (names,
 * not ids), or for a list (roles, groups) the entries added and removed. The same shape travels from
 * an import's check (staged with the row, shown in the review) to its success file and to the
 * entity's history, whatever target or edge made the change.
 */
export type FieldChange =
  | { field: string; label: string; before: string | null; after: string | null }
  | { field: string; label: string; added: string[]; removed: string[] };

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
