import { HttpError } from './api';

/**
 * The API's messages about single fields of a form, by field name: the problems of a
 * `validation.failed` answer, the field of a single error (e.g. `user.email_taken`), or the path of
 * a schema issue (`body.email`). Nested fields keep their dots (`attributes.costCenter`).
 */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof HttpError) || !error.body) return {};
  const details = error.body.details ?? {};
  const out: Record<string, string> = {};
  const add = (field: unknown, message: unknown) => {
    if (typeof field === 'string' && typeof message === 'string' && !(field in out)) out[field] = message;
  };
  const problems = details.problems;
  if (Array.isArray(problems)) {
    for (const p of problems as { field?: unknown; message?: unknown }[]) add(p.field, p.message);
  }
  const issues = details.issues;
  if (Array.isArray(issues)) {
    for (const i of issues as { path?: unknown; message?: unknown }[]) {
      if (typeof i.path === 'string') add(i.path.replace(/^body\./, ''), i.message);
    }
  }
  if (typeof details.field === 'string') add(details.field, error.body.message);
  return out;
}
