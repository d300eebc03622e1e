import { matchRole, type NamedRole } from '../../domain/roles.js';
import type { RowProblem } from '../problems.js';
import { problem } from '../validate.js';

/**
 * Portal role names from a cell, as every target reads them: matched case-sensitively against
 * active roles; an inactive or unknown name is a problem of that cell (with a suggestion).
 */
export function resolveRoleNames(
  names: readonly string[],
  roles: readonly NamedRole[],
  at: { row: number; column: string | null },
): { ids: number[]; problems: RowProblem[] } {
  const ids: number[] = [];
  const problems: RowProblem[] = [];
  for (const name of names) {
    const m = matchRole(name, roles);
    if (m.kind === 'found') ids.push(m.role.id);
    else if (m.kind === 'inactive') {
      problems.push(
        problem(
          at.row,
          at.column,
          name,
          'role.inactive',
          `The role "${name}" is inactive; activate it or choose another.`,
          'cell',
        ),
      );
    } else {
      const hint = m.suggestion ? ` Did you mean "${m.suggestion}"?` : '';
      const found = problem(
        at.row,
        at.column,
        name,
        'role.unknown',
        `There is no active role "${name}" (names are case-sensitive).${hint}`,
        'cell',
      );
      problems.push(m.suggestion ? { ...found, suggestion: m.suggestion } : found);
    }
  }
  return { ids, problems };
}
