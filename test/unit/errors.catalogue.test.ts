import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, appError, ERROR_CATALOGUE, ERROR_CODES, errors } from '../../src/core/errors.js';
import { Problems, problemsOfIssues } from '../../src/core/problems.js';

describe('the error catalogue', () => {
  it('gives every code an HTTP error status and a message that ends a sentence', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(code, code).toMatch(/^[a-z_]+(\.[a-z_]+)?$/);
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.status, code).toBeLessThan(600);
      expect(entry.message, code).toMatch(/^[A-Z].*[.)]$/);
    }
  });

  it('makes an unknown code, or a status the catalogue does not give it, a type error', () => {
    // @ts-expect-error: a typo in a code does not type-check
    expect(() => appError('user.emial_taken')).toThrow();
    // @ts-expect-error: a code with another status than its own does not type-check
    const wrongStatus = new AppError('user.email_taken', 404, 'x');
    expect(wrongStatus.status).toBe(404);
    // @ts-expect-error: only conflicts (409) go through errors.conflict
    errors.conflict('user.not_found');
  });

  it('takes status and message from the catalogue unless told otherwise', () => {
    expect(appError('import.changed').toJSON()).toEqual({
      code: 'import.changed',
      message: ERROR_CATALOGUE['import.changed'].message,
      details: {},
    });
    expect(appError('import.changed').status).toBe(409);
    expect(errors.notFound('import_config', 7)).toMatchObject({
      code: 'import_config.not_found',
      status: 404,
      message: 'No import config with id 7 exists, or it is outside your scope.',
    });
  });

  it('is the only place codes are raised from: no AppError in src is made with a code outside it', () => {
    // The types check each call; this catches a code built at run time from a string.
    const root = path.resolve(import.meta.dirname, '../../src');
    const raised = new Set<string>();
    for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const text = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
      for (const m of text.matchAll(/(?:new AppError|appError|errors\.(?:field|conflict))\(\s*'([^']+)'/g)) {
        raised.add(m[1]!);
      }
    }
    expect(raised.size).toBeGreaterThan(30);
    expect([...raised].filter((code) => !(ERROR_CODES as string[]).includes(code))).toEqual([]);
  });
});

describe('field problems', () => {
  it('one field: the error lists it in details.problems', () => {
    expect(errors.field('role.name_taken', 'name', 'A portal role named "X" exists.').toJSON()).toEqual({
      code: 'role.name_taken',
      message: 'A portal role named "X" exists.',
      details: {
        problems: [{ field: 'name', code: 'role.name_taken', message: 'A portal role named "X" exists.' }],
      },
    });
  });

  it('every problem of an input in one answer, the first in its message', () => {
    const problems = new Problems();
    problems.add('email', 'email.invalid', '"x" is not a valid email address.');
    problems.add('firstName', 'text.too_long', 'Use at most 100 characters.');
    expect(() => problems.throwIfAny()).toThrow(
      expect.objectContaining({
        code: 'validation.failed',
        status: 400,
        message: 'email: "x" is not a valid email address. (and 1 more problem(s))',
        details: { problems: problems.list },
      }),
    );
  });

  it('a schema issue becomes a problem at its dotted path; an unknown key is named by its own path', () => {
    const schema = z
      .object({
        name: z.string().max(3),
        options: z.object({ mode: z.enum(['insert', 'update']) }).strict(),
        roleIds: z.array(z.number()),
      })
      .strict();
    const result = schema.safeParse({
      name: 'toolong',
      options: { mode: 'insert', colour: 'red' },
      roleIds: [1, 'two'],
      extra: 1,
    });
    expect(result.success).toBe(false);
    const problems = problemsOfIssues(result.error!.issues);
    expect(problems.map((p) => [p.field, p.code])).toEqual([
      ['name', 'schema.too_big'],
      ['options.colour', 'schema.unknown_field'],
      ['roleIds.1', 'schema.invalid_type'],
      ['extra', 'schema.unknown_field'],
    ]);
    for (const p of problems) expect(p.message).toMatch(/^[A-Z].*\.$/);
    expect(problems[1]!.message).toContain('"colour"');
    expect(problemsOfIssues(result.error!.issues, 'options')[0]!.field).toBe('options.name');
    const root = z.object({}).strict().safeParse({ colour: 'red' });
    expect(problemsOfIssues(root.error!.issues, 'options')).toEqual([
      { field: 'options.colour', code: 'schema.unknown_field', message: expect.stringContaining('"colour"') },
    ]);
  });
});
