/**
 * Row problems are data, not exceptions: stored with the staged row, shown in the review table,
 * written to the failure file. `source` says what a fix must re-check: the cell, the row, or the
 * whole file (duplicates).
 */
export type Severity = 'error' | 'warning';
export type ProblemSource = 'cell' | 'row' | 'file' | 'commit';

export interface RowProblem {
  row: number;
  /** The file's column header, or null when the problem is the row's as a whole. */
  column: string | null;
  value: string | null;
  code: string;
  message: string;
  severity: Severity;
  source: ProblemSource;
  /** The value the file most likely meant (a known name spelled otherwise): a fix can apply it. */
  suggestion?: string;
}

export const hasErrors = (problems: readonly RowProblem[]): boolean =>
  problems.some((p) => p.severity === 'error');

/** One line per problem, for the failure file's `error` column. */
export function describeProblems(problems: readonly RowProblem[]): string {
  return problems
    .filter((p) => p.severity === 'error')
    .map((p) => (p.column && !p.message.startsWith(p.column) ? `${p.column}: ${p.message}` : p.message))
    .join(' | ');
}
