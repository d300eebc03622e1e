import { errors, type FieldProblem } from './errors.js';

export type { FieldProblem };

/** Collects every problem of an input before failing, so that one answer lists them all. */
export class Problems {
  readonly list: FieldProblem[] = [];

  add(field: string, code: string, message: string): void {
    this.list.push({ field, code, message });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw errors.problems(this.list, 'validation.failed');
  }
}

/** A schema's complaint about a value, as zod reports it (only what is read here). */
export interface SchemaIssue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  keys?: readonly string[];
}

/**
 * A schema's issues as field problems: each path becomes a dotted field under `prefix`, the code
 * `schema.<zod code>`, and an unknown field is named by its own path (`options.colour`), one
 * problem per key.
 */
export function problemsOfIssues(issues: readonly SchemaIssue[], prefix = ''): FieldProblem[] {
  const dotted = (path: readonly PropertyKey[]) =>
    [prefix, ...path.map(String)].filter((part) => part !== '').join('.');
  return issues.flatMap((issue): FieldProblem[] => {
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      return issue.keys.map((key) => ({
        field: dotted([...issue.path, key]),
        code: 'schema.unknown_field',
        message: `There is no field "${key}" here. Remove it; see /api/docs for the fields this accepts.`,
      }));
    }
    return [{ field: dotted(issue.path), code: `schema.${issue.code}`, message: sentence(issue.message) }];
  });
}

/** Schema messages arrive as "Too big: expected …" without a full stop. */
function sentence(text: string): string {
  const t = text.trim();
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
}
