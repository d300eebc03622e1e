import { AppError } from './errors.js';

/** A field-level problem in a request: what, where, and what to do. */
export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

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
    if (this.list.length === 0) return;
    const first = this.list[0]!;
    const more = this.list.length > 1 ? ` (and ${this.list.length - 1} more problem(s))` : '';
    throw new AppError('validation.failed', 400, `${first.field}: ${first.message}${more}`, {
      problems: this.list,
    });
  }
}
