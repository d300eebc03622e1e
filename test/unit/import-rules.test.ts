import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.js';
import { readCell } from '../../src/core/import/cells.js';
import { autoMap, checkMapping, describeMapping } from '../../src/core/import/mapping.js';
import {
  canTransition,
  IMPORT_STATUSES,
  type ImportEvent,
  type ImportStatus,
  transition,
} from '../../src/core/import/status.js';
import type { TargetField } from '../../src/core/import/target.js';
import { WIDGET_FIELDS } from './support/memory-import.js';

/** A target without `requires`: every required field needs a column. */
const everyField = () => true;

describe('the status table', () => {
  const EVENTS: ImportEvent[] = [
    'staged',
    'map',
    'reread',
    'set_options',
    'edit_rows',
    'commit',
    'start',
    'finish',
    'fail',
    'cancel',
    'stopped',
    'rollback',
    'rolled_back',
  ];

  it('follows an import from staging to rolled back', () => {
    const path: [ImportEvent, ImportStatus][] = [
      ['staged', 'validated'],
      ['edit_rows', 'validated'],
      ['commit', 'queued'],
      ['start', 'committing'],
      ['finish', 'completed'],
      ['rollback', 'rolling_back'],
      ['rolled_back', 'rolled_back'],
    ];
    let status: ImportStatus = 'staging';
    for (const [event, next] of path) {
      status = transition(status, event);
      expect(status).toBe(next);
    }
  });

  it('reaches `mapping_required` instead of `validated` while a required field has no column', () => {
    expect(transition('staging', 'staged', false)).toBe('mapping_required');
    expect(transition('validated', 'map', false)).toBe('mapping_required');
    expect(transition('mapping_required', 'map', true)).toBe('validated');
    expect(transition('validated', 'reread', false)).toBe('mapping_required');
    expect(transition('mapping_required', 'reread', true)).toBe('validated');
    expect(() => transition('mapping_required', 'commit')).toThrow(
      expect.objectContaining({ code: 'import.not_validated' }),
    );
  });

  it('refuses every move the table lacks with a typed 409, and canTransition agrees', () => {
    for (const from of IMPORT_STATUSES) {
      for (const event of EVENTS) {
        let allowed = true;
        try {
          transition(from, event);
        } catch (e) {
          allowed = false;
          expect(e).toBeInstanceOf(AppError);
          expect((e as AppError).status).toBe(409);
          expect((e as AppError).code).toMatch(/^import\./);
        }
        expect(canTransition(from, event)).toBe(allowed);
      }
    }
  });

  it('names the reason in the code', () => {
    const code = (from: ImportStatus, event: ImportEvent) => {
      try {
        transition(from, event);
        return null;
      } catch (e) {
        return (e as AppError).code;
      }
    };
    expect(code('queued', 'set_options')).toBe('import.already_committing');
    expect(code('completed', 'edit_rows')).toBe('import.already_committed');
    expect(code('completed', 'reread')).toBe('import.already_committed');
    expect(code('committing', 'reread')).toBe('import.already_committing');
    expect(code('validated', 'rollback')).toBe('import.not_committed');
    expect(code('committing', 'rollback')).toBe('import.still_committing');
    expect(code('rolling_back', 'rollback')).toBe('import.rolling_back');
    expect(code('rolled_back', 'rollback')).toBe('import.rolled_back');
    expect(code('completed', 'cancel')).toBe('import.not_cancellable');
  });
});

describe('automatic mapping', () => {
  it('matches exact, normalised, synonym and close headers, each field once', () => {
    const header = ['Code', 'NAME ', 'Part number', 'Quantty', 'Kind', 'Colour'];
    const mapping = autoMap(header, WIDGET_FIELDS);
    // "Part number" is a synonym of Code, which "Code" took first: it stays unmapped.
    expect(mapping.columns).toEqual(['code', 'name', null, 'qty', 'kind', null]);
    const report = describeMapping(header, WIDGET_FIELDS, mapping, everyField);
    expect(report.columns.map((c) => c.match)).toEqual(['exact', 'normalized', null, 'close', 'exact', null]);
    expect(report.unknownColumns).toEqual(['Part number', 'Colour']);
    expect(report.complete).toBe(true);
  });

  it('says which required field has no column', () => {
    const report = describeMapping(['Name'], WIDGET_FIELDS, autoMap(['Name'], WIDGET_FIELDS), everyField);
    expect(report).toMatchObject({ complete: false, missingRequired: ['code'] });
  });

  it('refuses a mapping of the wrong length, an unknown field and a field taken twice', () => {
    const codes = checkMapping(['A', 'B'], WIDGET_FIELDS, { columns: ['code', 'code', 'nope'] }).map(
      (p) => p.code,
    );
    expect(codes).toEqual(['mapping.wrong_length', 'mapping.field_twice', 'mapping.unknown_field']);
  });
});

describe('cell readers', () => {
  const field = (over: Partial<TargetField>): TargetField => ({
    key: 'f',
    column: 'F',
    label: 'F',
    type: 'text',
    required: false,
    description: '',
    ...over,
  });

  it('normalises text: trimmed, NFC, invisible characters gone; empty is null', () => {
    expect(readCell(field({}), '  Jose\u0301\u200b ')).toEqual({ ok: true, value: 'José' });
    expect(readCell(field({}), '   ')).toEqual({ ok: true, value: null });
  });

  it('reads numbers, booleans and dates, and says what is wrong otherwise', () => {
    expect(readCell(field({ type: 'number' }), '1 234,5')).toMatchObject({ ok: true });
    expect(readCell(field({ type: 'number' }), 'lots')).toMatchObject({ ok: false, code: 'number.invalid' });
    expect(readCell(field({ type: 'boolean' }), 'Yes')).toEqual({ ok: true, value: true });
    expect(readCell(field({ type: 'boolean' }), 'maybe')).toMatchObject({ code: 'boolean.invalid' });
    expect(readCell(field({ type: 'date' }), '2024-02-29')).toEqual({ ok: true, value: '2024-02-29' });
    expect(readCell(field({ type: 'date' }), '2023-02-29')).toMatchObject({ code: 'date.invalid' });
  });

  it('matches allowed values ignoring case unless told otherwise, with a suggestion', () => {
    const kinds = field({ type: 'enum', allowed: ['Manager', 'Staff'] });
    expect(readCell(kinds, 'manager')).toEqual({ ok: true, value: 'Manager' });
    const exact = readCell({ ...kinds, caseSensitive: true }, 'manager');
    expect(exact).toMatchObject({ ok: false, code: 'value.not_allowed' });
    expect(exact.ok ? '' : exact.message).toContain('Did you mean "Manager"?');
  });

  it('splits multi-value cells on ; or |, dropping repeats and blanks', () => {
    expect(readCell(field({ multi: true }), 'A; B|A;;')).toEqual({ ok: true, value: ['A', 'B'] });
  });

  it('refuses a value over the field maximum, naming both lengths', () => {
    const read = readCell(field({ maxLength: 3 }), 'abcd');
    expect(read).toMatchObject({ ok: false, code: 'value.too_long' });
    expect(read.ok ? '' : read.message).toContain('4 characters');
  });
});
