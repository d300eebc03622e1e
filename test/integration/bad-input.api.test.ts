import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttribute } from '../../src/app/attributes.js';
import { createUser } from '../../src/app/users/create-user.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { type Caller, startApi, TEST_PASSWORD, type TestApi } from '../support/api.js';
import { expectUnchanged } from '../support/db-snapshot.js';
import { buildWorld, type World } from '../support/fixtures.js';

/**
 * Bad input of every kind gets a clear 4xx JSON error `{code, message, details}` and changes
 * nothing; hostile-looking text that is valid is data, stored and returned as it was sent.
 */

let api: TestApi;
let world: World;
let admin: Caller;
let userId: number;

/** Every answer this file received, to check at the end that none carries a stack trace. */
const answers: { what: string; status: number; body: string }[] = [];

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  await createAttribute(api.db.ctx, SYSTEM_ACTOR, { key: 'note', label: 'Note', type: 'text' });
  userId = (
    await createUser(api.db.ctx, SYSTEM_ACTOR, {
      email: 'existing@bad-input.example',
      firstName: 'Existing',
      customerId: world.acme.id,
    })
  ).id;
});
afterAll(() => api.close());

let seq = 0;
const next = () => ++seq;

async function call(opts: InjectOptions): Promise<LightMyRequestResponse> {
  const res = await admin.token(opts);
  answers.push({ what: `${opts.method} ${opts.url}`, status: res.statusCode, body: res.body });
  return res;
}

interface ErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown> & {
    problems?: { field: string; code: string; message: string }[];
  };
}

/** A stack frame ("at fn (/path/file.ts:1:2)", "at /path/file.js:3") or a dependency path. */
const STACK_TRACE = /\bat (?:[^\s()]+ )?\(?(?:file:\/\/)?\/[^\s:)]+:\d+|node_modules/;

/** Asserts a clear JSON error: the status, the code, a message for a person, details; no stack. */
function expectError(res: LightMyRequestResponse, status: number, code: string, what = ''): ErrorBody {
  expect(res.statusCode, `${what} ${res.body}`).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json() as ErrorBody;
  expect(Object.keys(body).sort(), what).toEqual(['code', 'details', 'message']);
  expect(body.code, `${what} ${res.body}`).toBe(code);
  expect(body.message.length, what).toBeGreaterThan(10);
  expect(typeof body.details).toBe('object');
  expect(res.body).not.toMatch(STACK_TRACE);
  return body;
}

/** Sends a request that must fail as described, and checks that the database did not move. */
async function refused(
  opts: InjectOptions,
  status: number,
  code: string,
  what = `${opts.method} ${opts.url}`,
): Promise<ErrorBody> {
  return expectUnchanged(api.db.ctx.db, async () => expectError(await call(opts), status, code, what), what);
}

const post = (url: string, payload: unknown): InjectOptions => ({
  method: 'POST',
  url,
  payload: payload as object,
});
const patch = (url: string, payload: unknown): InjectOptions => ({
  method: 'PATCH',
  url,
  payload: payload as object,
});

/** A valid body per writable route, to be spoilt one field at a time. */
const validBodies = (): [string, InjectOptions][] => [
  ['user', post('/api/v1/users', { email: `valid${next()}@bad-input.example`, customerId: world.acme.id })],
  ['user change', patch(`/api/v1/users/${userId}`, { firstName: 'Still' })],
  ['customer', post('/api/v1/customers', { name: `Valid customer ${next()}` })],
  ['customer change', patch(`/api/v1/customers/${world.globex.id}`, { name: 'Globex' })],
  ['site', post(`/api/v1/customers/${world.acme.id}/sites`, { name: `Valid site ${next()}` })],
  ['contact', post('/api/v1/contacts', { customerId: world.acme.id, firstName: 'Valid' })],
  ['role', post('/api/v1/roles', { name: `Valid role ${next()}` })],
  ['group', post('/api/v1/groups', { name: `Valid group ${next()}` })],
  ['attribute', post('/api/v1/attributes', { key: `valid_${next()}`, label: 'Valid', type: 'text' })],
  [
    'admin',
    post('/api/v1/admins', {
      email: `valid${next()}@admins.example`,
      name: 'Valid',
      role: 'viewer',
      password: TEST_PASSWORD,
    }),
  ],
  ['token', post('/api/v1/tokens', { name: `valid token ${next()}` })],
  ['settings', patch('/api/v1/settings', { portalName: 'Customer Portal' })],
  ['sign-in', post('/api/v1/auth/login', { email: admin.email, password: TEST_PASSWORD })],
];

describe(`malformed and unwanted bodies on ${process.env.ROSTER_TEST_DB}`, () => {
  it('refuses malformed JSON with 400 request.malformed_json', async () => {
    const broken = [
      '{"email": ',
      '{',
      '{"name": "x",}',
      "{'name': 'x'}",
      'undefined',
      'NaN',
      '{"a":1}{"b":2}',
    ];
    for (const payload of broken) {
      for (const url of ['/api/v1/users', '/api/v1/customers', '/api/v1/roles']) {
        await refused(
          { method: 'POST', url, payload, headers: { 'content-type': 'application/json' } },
          400,
          'request.malformed_json',
          `${url} ${payload}`,
        );
      }
    }
    await refused(
      {
        method: 'PATCH',
        url: `/api/v1/users/${userId}`,
        payload: '{"firstName": "x"',
        headers: { 'content-type': 'application/json' },
      },
      400,
      'request.malformed_json',
    );
  });

  it('refuses an empty JSON body and JSON that is not an object', async () => {
    await refused(
      {
        method: 'POST',
        url: '/api/v1/customers',
        payload: '',
        headers: { 'content-type': 'application/json' },
      },
      400,
      'request.malformed_json',
    );
    for (const payload of ['null', '[]', '"Acme"', '42', 'true', '[{"name": "x"}]']) {
      const body = await refused(
        {
          method: 'POST',
          url: '/api/v1/customers',
          payload,
          headers: { 'content-type': 'application/json' },
        },
        400,
        'request.invalid',
        payload,
      );
      // The body as a whole is the field with no name.
      expect(body.details.problems?.[0]?.field).toBe('');
    }
  });

  it('refuses prototype-polluting keys in a body', async () => {
    for (const payload of [
      '{"name": "Proto", "__proto__": {"admin": true}}',
      '{"name": "Proto", "constructor": {"prototype": {"admin": true}}}',
    ]) {
      const res = await expectUnchanged(api.db.ctx.db, () =>
        call({
          method: 'POST',
          url: '/api/v1/customers',
          payload,
          headers: { 'content-type': 'application/json' },
        }),
      );
      expect(res.statusCode).toBe(400);
      expect(['request.malformed_json', 'request.invalid']).toContain(res.json().code);
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses an unknown field in every body, naming it', async () => {
    for (const [what, opts] of validBodies()) {
      const payload = { ...(opts.payload as object), isSuperAdmin: true };
      const body = await refused({ ...opts, payload }, 400, 'request.invalid', what);
      expect(body.message, what).toMatch(/^isSuperAdmin: There is no field "isSuperAdmin"/);
      expect(body.details.problems, what).toEqual([
        {
          field: 'isSuperAdmin',
          code: 'schema.unknown_field',
          message: expect.stringContaining('isSuperAdmin'),
        },
      ]);
    }
  });

  it('refuses an unknown field in every query string that has a schema, naming it', async () => {
    for (const [url, field] of [
      ['/api/v1/users?role=admin', 'role'],
      ['/api/v1/users?limit=5&password_hash=x', 'password_hash'],
      ['/api/v1/contacts?customer=1', 'customer'],
      ['/api/v1/customers?name=Acme', 'name'],
      ['/api/v1/audit?actor=1', 'actor'],
    ] as const) {
      const body = expectError(await call({ method: 'GET', url }), 400, 'request.invalid', url);
      expect(body.message, url).toMatch(new RegExp(`^query\\.${field}: `));
      expect(body.message, url).toContain(`"${field}"`);
      expect(body.details.problems?.[0], url).toMatchObject({
        field: `query.${field}`,
        code: 'schema.unknown_field',
      });
    }
  });

  it('refuses a body that is not JSON with 415, and changes nothing', async () => {
    for (const [type, payload] of [
      ['text/plain', '{"name": "Plain text customer"}'],
      ['text/plain; charset=utf-8', 'name=Acme'],
      ['application/x-www-form-urlencoded', 'name=Form+Customer'],
      ['application/xml', '<customer><name>X</name></customer>'],
      ['text/html', '<p>customer</p>'],
      ['application/octet-stream', '{"name": "Bytes customer"}'],
    ] as const) {
      await refused(
        { method: 'POST', url: '/api/v1/customers', payload, headers: { 'content-type': type } },
        415,
        'request.unsupported_media_type',
        type,
      );
    }
    // Multipart is parsed for file uploads; on a JSON route it is still refused, with a JSON error.
    const multipart = await expectUnchanged(api.db.ctx.db, () =>
      call({
        method: 'POST',
        url: '/api/v1/customers',
        payload: '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nX\r\n--x--\r\n',
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
      }),
    );
    expect([400, 415]).toContain(multipart.statusCode);
    expectError(
      multipart,
      multipart.statusCode,
      multipart.statusCode === 415 ? 'request.unsupported_media_type' : 'request.invalid',
    );
  });

  it('refuses a body over the size limit with 413, and changes nothing', async () => {
    const huge = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });
    await refused(
      {
        method: 'POST',
        url: '/api/v1/customers',
        payload: huge,
        headers: { 'content-type': 'application/json' },
      },
      413,
      'request.too_large',
    );
    const manyRoles = JSON.stringify({
      email: 'many@bad-input.example',
      customerId: world.acme.id,
      roleIds: Array.from({ length: 200_000 }, (_, i) => i + 1),
    });
    await refused(
      {
        method: 'POST',
        url: '/api/v1/users',
        payload: manyRoles,
        headers: { 'content-type': 'application/json' },
      },
      413,
      'request.too_large',
    );
  });

  it('answers an unknown route or method with 404 route.not_found', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/nope'],
      ['POST', '/api/v1/users/1/explode'],
      ['PUT', '/api/v1/users'],
      ['DELETE', '/api/v1/users'],
      ['GET', '/api/v2/users'],
      ['GET', '/nothing-here'],
    ] as const) {
      const body = await refused({ method, url }, 404, 'route.not_found', `${method} ${url}`);
      expect(body.message).toContain(url);
    }
    const anonymous = await api.request({ method: 'GET', url: '/api/v1/nope' });
    answers.push({ what: 'anonymous GET /api/v1/nope', status: anonymous.statusCode, body: anonymous.body });
    expectError(anonymous, 404, 'route.not_found');
  });
});

describe(`text too long, emails malformed on ${process.env.ROSTER_TEST_DB}`, () => {
  /** A string of exactly `n` characters, unique per call, with enough different characters. */
  const text = (n: number) => `${next()}-Abcdefgh `.padEnd(n, 'xyz').slice(0, n);
  /** A valid email of exactly `n` characters (n ≥ 40). */
  const emailOf = (n: number) => {
    const local = `e${next()}`.padEnd(Math.min(64, n - 30), 'x');
    let domain = '';
    let rest = n - local.length - 1 - 4;
    while (rest > 0) {
      const label = Math.min(63, rest - (domain ? 1 : 0));
      domain += `${domain ? '.' : ''}${'d'.repeat(Math.max(1, label))}`;
      rest = n - local.length - 1 - 4 - domain.length;
    }
    return `${local}@${domain}.com`;
  };
  const key = (n: number) => `k${next()}_`.padEnd(n, 'x').slice(0, n);

  interface LengthCase {
    field: string;
    max: number;
    make: (n: number) => string;
    request: (value: string) => InjectOptions;
  }
  const u = (body: object) =>
    post('/api/v1/users', { email: `len${next()}@bad-input.example`, customerId: world.acme.id, ...body });
  const cases = (): LengthCase[] => [
    { field: 'name', max: 200, make: text, request: (v) => post('/api/v1/customers', { name: v }) },
    {
      field: 'externalId',
      max: 100,
      make: text,
      request: (v) => post('/api/v1/customers', { name: `Ext ${next()}`, externalId: v }),
    },
    {
      field: 'name',
      max: 100,
      make: text,
      request: (v) => post(`/api/v1/customers/${world.acme.id}/sites`, { name: v }),
    },
    {
      field: 'firstName',
      max: 100,
      make: text,
      request: (v) => post('/api/v1/contacts', { customerId: world.acme.id, firstName: v }),
    },
    {
      field: 'lastName',
      max: 100,
      make: text,
      request: (v) => post('/api/v1/contacts', { customerId: world.acme.id, lastName: v }),
    },
    {
      field: 'email',
      max: 254,
      make: emailOf,
      request: (v) => post('/api/v1/contacts', { customerId: world.acme.id, email: v }),
    },
    {
      field: 'externalId',
      max: 100,
      make: text,
      request: (v) => post('/api/v1/contacts', { customerId: world.acme.id, externalId: v }),
    },
    { field: 'name', max: 100, make: text, request: (v) => post('/api/v1/roles', { name: v }) },
    {
      field: 'description',
      max: 500,
      make: text,
      request: (v) => post('/api/v1/roles', { name: `Described ${next()}`, description: v }),
    },
    { field: 'name', max: 100, make: text, request: (v) => post('/api/v1/groups', { name: v }) },
    {
      field: 'description',
      max: 500,
      make: text,
      request: (v) => post('/api/v1/groups', { name: `Described ${next()}`, description: v }),
    },
    {
      field: 'key',
      max: 63,
      make: key,
      request: (v) => post('/api/v1/attributes', { key: v, label: 'L', type: 'text' }),
    },
    {
      field: 'label',
      max: 100,
      make: text,
      request: (v) => post('/api/v1/attributes', { key: key(20), label: v, type: 'text' }),
    },
    {
      field: 'options.0',
      max: 200,
      make: text,
      request: (v) => post('/api/v1/attributes', { key: key(20), label: 'L', type: 'enum', options: [v] }),
    },
    {
      field: 'description',
      max: 500,
      make: text,
      request: (v) => post('/api/v1/attributes', { key: key(20), label: 'L', type: 'text', description: v }),
    },
    {
      field: 'email',
      max: 254,
      make: emailOf,
      request: (v) => post('/api/v1/users', { email: v, customerId: world.acme.id }),
    },
    {
      field: 'username',
      max: 64,
      make: (n) => `u${next()}`.padEnd(n, 'x'),
      request: (v) => u({ username: v }),
    },
    { field: 'firstName', max: 100, make: text, request: (v) => u({ firstName: v }) },
    { field: 'lastName', max: 100, make: text, request: (v) => u({ lastName: v }) },
    { field: 'displayName', max: 200, make: text, request: (v) => u({ displayName: v }) },
    { field: 'accessLevel', max: 100, make: text, request: (v) => u({ accessLevel: v }) },
    { field: 'employeeNumber', max: 50, make: text, request: (v) => u({ employeeNumber: v }) },
    { field: 'attributes.note', max: 1000, make: text, request: (v) => u({ attributes: { note: v } }) },
    {
      field: 'firstName',
      max: 100,
      make: text,
      request: (v) => patch(`/api/v1/users/${userId}`, { firstName: v }),
    },
    {
      field: 'name',
      max: 100,
      make: text,
      request: (v) =>
        post('/api/v1/admins', {
          email: `n${next()}@admins.example`,
          name: v,
          role: 'viewer',
          password: TEST_PASSWORD,
        }),
    },
    {
      field: 'password',
      max: 256,
      make: text,
      request: (v) =>
        post('/api/v1/admins', {
          email: `p${next()}@admins.example`,
          name: 'P',
          role: 'viewer',
          password: v,
        }),
    },
    {
      field: 'email',
      max: 254,
      make: emailOf,
      request: (v) =>
        post('/api/v1/admins', { email: v, name: 'E', role: 'viewer', password: TEST_PASSWORD }),
    },
    { field: 'name', max: 100, make: text, request: (v) => post('/api/v1/tokens', { name: v }) },
    {
      field: 'portalName',
      max: 100,
      make: text,
      request: (v) => patch('/api/v1/settings', { portalName: v }),
    },
  ];

  it('accepts every text field at its maximum length and refuses one character more, changing nothing', async () => {
    for (const c of cases()) {
      const longest = c.make(c.max);
      expect(longest).toHaveLength(c.max);
      const ok = await call(c.request(longest));
      expect(ok.statusCode, `${c.field} at ${c.max}: ${ok.body}`).toBeLessThan(300);

      const tooLong = c.make(c.max + 1);
      expect(tooLong).toHaveLength(c.max + 1);
      const request = c.request(tooLong);
      const body = await refused(request, 400, 'request.invalid', `${c.field} at ${c.max + 1}`);
      expect(
        body.details.problems?.map((p) => p.field),
        `${request.url} ${c.field}`,
      ).toContain(c.field);
    }
  });

  it('refuses over-long text in query strings', async () => {
    for (const [url, field] of [
      [`/api/v1/users?q=${'q'.repeat(201)}`, 'q'],
      [`/api/v1/customers?q=${'q'.repeat(201)}`, 'q'],
      [`/api/v1/users?cursor=${'c'.repeat(501)}`, 'cursor'],
      [`/api/v1/audit?entityType=${'t'.repeat(51)}`, 'entityType'],
      [`/api/v1/audit?entityId=${'1'.repeat(51)}`, 'entityId'],
    ] as const) {
      const body = expectError(await call({ method: 'GET', url }), 400, 'request.invalid', url);
      expect(body.details.problems?.[0]?.field).toBe(`query.${field}`);
    }
    expect((await call({ method: 'GET', url: `/api/v1/users?q=${'q'.repeat(200)}` })).statusCode).toBe(200);
  });

  const badEmails = [
    'plainaddress',
    '@no-local-part.example',
    'no-domain@',
    'two@@example.com',
    'two@signs@example.com',
    'spaces in@example.com',
    'jane@example',
    'jane@example.c',
    'jane@example.123',
    '.jane@example.com',
    'jane.@example.com',
    'ja..ne@example.com',
    'jane@-example.com',
    'jane@example-.com',
    'jane@exam_ple.com',
    'jane@example..com',
    '"jane"@example.com',
    'jane@[127.0.0.1]',
    'jane(comment)@example.com',
    'jane@example.com.',
    '<jane@example.com>',
    'Jane <jane@example.com>',
    'jane@example.com, joe@example.com',
    `${'l'.repeat(65)}@example.com`,
  ];

  it('refuses invalid emails of many shapes for users, saying which field and why', async () => {
    for (const email of badEmails) {
      const body = await refused(
        post('/api/v1/users', { email, customerId: world.acme.id }),
        400,
        'validation.failed',
        email,
      );
      expect(body.details.problems, email).toEqual([
        { field: 'email', code: 'email.invalid', message: expect.stringContaining('not a valid email') },
      ]);
      await refused(
        patch(`/api/v1/users/${userId}`, { email }),
        400,
        'validation.failed',
        `change to ${email}`,
      );
    }
    for (const email of ['', '   ', '\u200B']) {
      const body = await refused(
        post('/api/v1/users', { email, customerId: world.acme.id }),
        400,
        'validation.failed',
      );
      expect(body.details.problems?.[0]?.code).toBe('email.required');
    }
  });

  it('refuses invalid emails for contacts and admins too', async () => {
    for (const email of badEmails.slice(0, 8)) {
      const contact = await refused(
        post('/api/v1/contacts', { customerId: world.acme.id, email }),
        400,
        'validation.failed',
        email,
      );
      expect(contact.details.problems?.[0]).toMatchObject({ field: 'email', code: 'email.invalid' });
      const adminBody = await refused(
        post('/api/v1/admins', { email, name: 'Bad', role: 'viewer', password: TEST_PASSWORD }),
        400,
        'validation.failed',
        email,
      );
      expect(adminBody.details.problems?.[0]).toMatchObject({ field: 'email', code: 'email.invalid' });
    }
  });
});

describe(`duplicates on ${process.env.ROSTER_TEST_DB}`, () => {
  it('refuses a user email that differs only in case, spacing or invisible characters: 409 user.email_taken', async () => {
    const first = await call(
      post('/api/v1/users', { email: 'Dup.User@Example.com', customerId: world.acme.id }),
    );
    expect(first.statusCode).toBe(201);
    for (const email of [
      'dup.user@example.com',
      'DUP.USER@EXAMPLE.COM',
      '  dup.user@example.COM ',
      'dup.user\u200B@example.com',
    ]) {
      const body = await refused(
        post('/api/v1/users', { email, customerId: world.globex.id }),
        409,
        'user.email_taken',
        email,
      );
      expect(body.message).toContain('ignoring case');
      await refused(
        patch(`/api/v1/users/${userId}`, { email }),
        409,
        'user.email_taken',
        `change to ${email}`,
      );
    }
  });

  it('refuses an admin email that differs only in case: 409 admin.email_taken', async () => {
    const email = `Dup.Admin${next()}@Admins.example`;
    const first = await call(
      post('/api/v1/admins', { email, name: 'First', role: 'viewer', password: TEST_PASSWORD }),
    );
    expect(first.statusCode).toBe(201);
    await refused(
      post('/api/v1/admins', {
        email: email.toUpperCase(),
        name: 'Second',
        role: 'viewer',
        password: TEST_PASSWORD,
      }),
      409,
      'admin.email_taken',
    );
    await refused(
      patch(`/api/v1/admins/${admin.adminId}`, { email: email.toLowerCase() }),
      409,
      'admin.email_taken',
    );
  });

  it('treats portal role names case-sensitively: Manager and manager coexist, an exact repeat is refused', async () => {
    // The fixture holds "Manager".
    for (const name of ['Manager', ' Manager ', 'Manager\u200B']) {
      const body = await refused(post('/api/v1/roles', { name }), 409, 'role.name_taken', name);
      expect(body.message).toContain('case-sensitive');
    }
    const lower = await call(post('/api/v1/roles', { name: 'manager' }));
    expect(lower.statusCode).toBe(201);
    expect((await call(post('/api/v1/roles', { name: 'MANAGER' }))).statusCode).toBe(201);
    const names = ((await call({ method: 'GET', url: '/api/v1/roles' })).json() as { name: string }[]).map(
      (r) => r.name,
    );
    expect(names).toEqual(expect.arrayContaining(['Manager', 'manager', 'MANAGER']));
    await refused(post('/api/v1/roles', { name: 'manager' }), 409, 'role.name_taken');
    await refused(
      patch(`/api/v1/roles/${world.roles.engineer}`, { name: 'Manager' }),
      409,
      'role.name_taken',
    );
  });

  it('refuses a group name that exists', async () => {
    await refused(post('/api/v1/groups', { name: 'Field' }), 409, 'group.name_taken');
    await refused(post('/api/v1/groups', { name: '  Field ' }), 409, 'group.name_taken');
  });

  it('refuses a customer name that differs only in case or spacing, and a repeated external id', async () => {
    for (const name of ['Acme', 'ACME', 'acme', '  aCmE  ', 'Acme\u200B']) {
      await refused(post('/api/v1/customers', { name }), 409, 'customer.name_taken', name);
    }
    await refused(
      patch(`/api/v1/customers/${world.globex.id}`, { name: 'ACME' }),
      409,
      'customer.name_taken',
    );
    await refused(
      post('/api/v1/customers', { name: 'Other name', externalId: 'A-1' }),
      409,
      'customer.name_taken',
    );
  });

  it('refuses a site name a customer already has, in any case, but allows it at another customer', async () => {
    await refused(
      post(`/api/v1/customers/${world.acme.id}/sites`, { name: 'NORTH' }),
      409,
      'site.name_taken',
    );
    await refused(post(`/api/v1/customers/${world.acme.id}/sites`, { name: 'hq' }), 409, 'site.name_taken');
    expect(
      (await call(post(`/api/v1/customers/${world.globex.id}/sites`, { name: 'North' }))).statusCode,
    ).toBe(201);
  });

  it('refuses a repeated attribute key and contact external id', async () => {
    await refused(
      post('/api/v1/attributes', { key: 'note', label: 'Again', type: 'text' }),
      409,
      'attribute.key_taken',
    );
    expect(
      (await call(post('/api/v1/contacts', { customerId: world.acme.id, externalId: 'CRM-DUP' }))).statusCode,
    ).toBe(201);
    await refused(
      post('/api/v1/contacts', { customerId: world.globex.id, externalId: 'CRM-DUP' }),
      409,
      'contact.external_id_taken',
    );
  });
});

describe(`wrong types on ${process.env.ROSTER_TEST_DB}`, () => {
  it('refuses wrong types in bodies, naming the field', async () => {
    const cases: [string, InjectOptions][] = [
      [
        'customerId',
        post('/api/v1/users', { email: 't1@bad-input.example', customerId: String(world.acme.id) }),
      ],
      ['customerId', post('/api/v1/users', { email: 't2@bad-input.example', customerId: -1 })],
      ['customerId', post('/api/v1/users', { email: 't3@bad-input.example', customerId: 0 })],
      ['customerId', post('/api/v1/users', { email: 't4@bad-input.example', customerId: 1.5 })],
      ['customerId', post('/api/v1/users', { email: 't5@bad-input.example', customerId: null })],
      ['customerId', post('/api/v1/users', { email: 't6@bad-input.example', customerId: true })],
      ['customerId', post('/api/v1/users', { email: 't7@bad-input.example', customerId: [world.acme.id] })],
      ['email', post('/api/v1/users', { email: 42, customerId: world.acme.id })],
      [
        'firstName',
        post('/api/v1/users', { email: 't8@bad-input.example', customerId: world.acme.id, firstName: 7 }),
      ],
      [
        'roleIds',
        post('/api/v1/users', { email: 't9@bad-input.example', customerId: world.acme.id, roleIds: '1' }),
      ],
      [
        'roleIds.0',
        post('/api/v1/users', { email: 't10@bad-input.example', customerId: world.acme.id, roleIds: ['x'] }),
      ],
      [
        'roleIds.0',
        post('/api/v1/users', { email: 't11@bad-input.example', customerId: world.acme.id, roleIds: [-3] }),
      ],
      [
        'status',
        post('/api/v1/users', {
          email: 't12@bad-input.example',
          customerId: world.acme.id,
          status: 'deleted',
        }),
      ],
      [
        'userType',
        post('/api/v1/users', {
          email: 't13@bad-input.example',
          customerId: world.acme.id,
          userType: 'admin',
        }),
      ],
      [
        'attributes.note',
        post('/api/v1/users', {
          email: 't14@bad-input.example',
          customerId: world.acme.id,
          attributes: { note: {} },
        }),
      ],
      ['siteId', patch(`/api/v1/users/${userId}`, { siteId: 'HQ' })],
      ['name', post('/api/v1/customers', { name: ['Acme'] })],
      ['active', post('/api/v1/roles', { name: 'Typed', active: 'yes' })],
      ['type', post('/api/v1/attributes', { key: 'typed', label: 'T', type: 'string' })],
      [
        'role',
        post('/api/v1/admins', {
          email: 'typed@admins.example',
          name: 'T',
          role: 'root',
          password: TEST_PASSWORD,
        }),
      ],
      ['adminId', post('/api/v1/tokens', { name: 'typed', adminId: '1' })],
      ['expiresAt', post('/api/v1/tokens', { name: 'typed', expiresAt: 'tomorrow' })],
      ['inviteTtlDays', patch('/api/v1/settings', { inviteTtlDays: '7' })],
      ['inviteTtlDays', patch('/api/v1/settings', { inviteTtlDays: 0 })],
      ['inviteTtlDays', patch('/api/v1/settings', { inviteTtlDays: 1.5 })],
      ['portalName', patch('/api/v1/settings', { portalName: '   ' })],
    ];
    for (const [field, opts] of cases) {
      const what = `${opts.method} ${opts.url} ${JSON.stringify(opts.payload)}`;
      const body = await refused(opts, 400, 'request.invalid', what);
      expect(
        body.details.problems?.map((p) => p.field),
        what,
      ).toContain(field);
    }
  });

  it('refuses numbers JSON cannot hold exactly', async () => {
    for (const payload of [
      `{"email":"big1@bad-input.example","customerId":1e400}`,
      `{"email":"big2@bad-input.example","customerId":-1e400}`,
    ]) {
      await refused(
        { method: 'POST', url: '/api/v1/users', payload, headers: { 'content-type': 'application/json' } },
        400,
        'request.invalid',
        payload,
      );
    }
  });

  it('refuses negative, zero, fractional and non-numeric path ids', async () => {
    for (const raw of ['abc', '-1', '0', '1.5', ' ', 'null', '1;DROP TABLE users', "1' OR '1'='1"]) {
      const id = encodeURIComponent(raw);
      for (const [method, url] of [
        ['GET', `/api/v1/users/${id}`],
        ['DELETE', `/api/v1/users/${id}`],
        ['GET', `/api/v1/customers/${id}/sites`],
        ['DELETE', `/api/v1/customers/${world.acme.id}/sites/${id}`],
        ['GET', `/api/v1/roles/${id}`],
      ] as const) {
        const body = await refused({ method, url }, 400, 'request.invalid', `${method} ${url}`);
        expect(body.details.problems?.[0]?.field).toMatch(/^params\./);
      }
    }
  });

  it('answers the largest possible id with 404 and any larger one with 400, never a server error', async () => {
    for (const [id, status] of [
      ['2147483647', 404],
      ['2147483648', 400],
      ['99999999999', 400],
      ['9007199254740993', 400],
      ['1e30', 400],
    ] as const) {
      for (const [method, url, notFound] of [
        ['GET', `/api/v1/users/${id}`, 'user.not_found'],
        ['DELETE', `/api/v1/contacts/${id}`, 'contact.not_found'],
        ['GET', `/api/v1/customers/${id}`, 'customer.not_found'],
        ['PATCH', `/api/v1/customers/${world.acme.id}/sites/${id}`, 'site.not_found'],
        ['GET', `/api/v1/admins/${id}`, 'admin.not_found'],
        ['DELETE', `/api/v1/tokens/${id}`, 'token.not_found'],
        ['GET', `/api/v1/users?customerId=${id}`, 'customer.not_found'],
        ['GET', `/api/v1/contacts?customerId=${id}`, 'customer.not_found'],
      ] as const) {
        await refused(
          { method, url, ...(method === 'PATCH' && { payload: { name: 'Far' } }) },
          status,
          status === 404 ? notFound : 'request.invalid',
        );
      }
      for (const [url, payload] of [
        ['/api/v1/users', { email: `far${next()}@bad-input.example`, customerId: Number(id) }],
        ['/api/v1/contacts', { customerId: Number(id) }],
        ['/api/v1/tokens', { name: 'far', adminId: Number(id) }],
      ] as const) {
        const code =
          status === 404
            ? url === '/api/v1/tokens'
              ? 'admin.not_found'
              : 'customer.not_found'
            : 'request.invalid';
        await refused(post(url, payload), status, code, `${url} ${JSON.stringify(payload)}`);
      }
    }
    for (const url of ['/api/v1/contacts?cursor=2147483648', '/api/v1/audit?before=2147483648']) {
      expectError(await call({ method: 'GET', url }), 400, 'request.invalid', url);
    }
  });

  it('refuses wrong types and out-of-range values in query strings', async () => {
    for (const [url, field] of [
      ['/api/v1/users?limit=abc', 'limit'],
      ['/api/v1/users?limit=0', 'limit'],
      ['/api/v1/users?limit=501', 'limit'],
      ['/api/v1/users?limit=-5', 'limit'],
      ['/api/v1/users?offset=-1', 'offset'],
      ['/api/v1/users?customerId=abc', 'customerId'],
      ['/api/v1/users?customerId=-1', 'customerId'],
      ['/api/v1/users?customerId=1&customerId=2', 'customerId'],
      ['/api/v1/users?status=deleted', 'status'],
      ['/api/v1/users?sort=password_hash', 'sort'],
      ['/api/v1/users?order=sideways', 'order'],
      ['/api/v1/contacts?cursor=-1', 'cursor'],
      ['/api/v1/audit?before=0', 'before'],
    ] as const) {
      const body = expectError(await call({ method: 'GET', url }), 400, 'request.invalid', url);
      expect(body.details.problems?.[0]?.field, url).toMatch(new RegExp(`^query\\.${field}`));
    }
  });

  it('refuses a cursor it did not give out, even when it is well-formed', async () => {
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const [sort, cursor] of [
      ['createdAt', forge(['not-a-date', 1])],
      ['createdAt', forge(["2024-01-01'; DROP TABLE users; --", 1])],
      ['email', forge(['a', 1e30])],
      ['email', forge(['a', 1.5])],
      ['createdAt', forge({ value: 'x', id: 1 })],
      ['email', 'not-a-cursor'],
    ] as const) {
      const url = `/api/v1/users?sort=${sort}&cursor=${cursor}`;
      const body = expectError(await call({ method: 'GET', url }), 400, 'request.invalid', url);
      expect(body.message).toMatch(/cursor/);
    }
  });
});

describe(`hostile text is data on ${process.env.ROSTER_TEST_DB}`, () => {
  const HOSTILE = [
    "'; DROP TABLE users; --",
    '" OR 1=1 --',
    "Robert'); DROP TABLE customers;--",
    "1' OR '1'='1",
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '{{7*7}} #{7*7} %s %n',
    '\\x00 \\\\ \\";',
  ];

  it('stores and returns SQL and script injection strings verbatim in every kind of name', async () => {
    for (const [i, s] of HOSTILE.entries()) {
      const customer = await call(post('/api/v1/customers', { name: s, externalId: s }));
      expect(customer.statusCode, customer.body).toBe(201);
      expect(customer.headers['content-type']).toMatch(/^application\/json/);
      const c = customer.json();
      expect(c).toMatchObject({ name: s, externalId: s });
      expect((await call({ method: 'GET', url: `/api/v1/customers/${c.id}` })).json().name).toBe(s);

      const site = await call(post(`/api/v1/customers/${c.id}/sites`, { name: s }));
      expect(site.json().name).toBe(s);

      const role = (await call(post('/api/v1/roles', { name: s, description: s }))).json();
      expect(role).toMatchObject({ name: s, description: s });
      const group = (
        await call(post('/api/v1/groups', { name: s, description: s, roleIds: [role.id] }))
      ).json();
      expect(group).toMatchObject({ name: s, description: s, roleIds: [role.id] });
      const attribute = (
        await call(
          post('/api/v1/attributes', {
            key: `hostile_${i}`,
            label: s,
            type: 'enum',
            options: [s],
            description: s,
          }),
        )
      ).json();
      expect(attribute).toMatchObject({ label: s, options: [s], description: s });

      const contact = (
        await call(
          post('/api/v1/contacts', { customerId: c.id, firstName: s, lastName: s, externalId: `${s}#${i}` }),
        )
      ).json();
      expect(contact).toMatchObject({ firstName: s, lastName: s, externalId: `${s}#${i}` });

      const created = await call(
        post('/api/v1/users', {
          email: `o'neil+${i}@bad-input.example`,
          customerId: c.id,
          firstName: s,
          lastName: s,
          displayName: s,
          accessLevel: s,
          employeeNumber: s.slice(0, 50),
          attributes: { note: s, [`hostile_${i}`]: s },
          roleIds: [role.id],
          groupIds: [group.id],
        }),
      );
      expect(created.statusCode, created.body).toBe(201);
      const user = created.json();
      expect(user).toMatchObject({
        email: `o'neil+${i}@bad-input.example`,
        firstName: s,
        lastName: s,
        displayName: s,
        accessLevel: s,
        employeeNumber: s.slice(0, 50),
        attributes: { note: s, [`hostile_${i}`]: s },
        customer: { id: c.id, name: s },
        site: { name: 'HQ' },
        roles: [{ id: role.id, name: s }],
        groups: [{ id: group.id, name: s }],
      });
      expect((await call({ method: 'GET', url: `/api/v1/users/${user.id}` })).json()).toMatchObject({
        firstName: s,
        lastName: s,
      });
      const listed = (
        await call({ method: 'GET', url: `/api/v1/users?customerId=${c.id}&q=${encodeURIComponent(s)}` })
      ).json();
      expect(listed.items.map((x: { id: number }) => x.id)).toEqual([user.id]);
    }
    const token = (await call(post('/api/v1/tokens', { name: HOSTILE[0] }))).json();
    expect(token.token.name).toBe(HOSTILE[0]);
    const settings = await call(patch('/api/v1/settings', { portalName: HOSTILE[4] }));
    expect(settings.json().portalName).toBe(HOSTILE[4]);
    await call(patch('/api/v1/settings', { portalName: 'Customer Portal' }));
  });

  it('treats injection strings in searches as text to match, not as SQL', async () => {
    const everyone = (await call({ method: 'GET', url: '/api/v1/users?limit=500' })).json().total;
    expect(everyone).toBeGreaterThan(3);
    for (const q of ["x' OR '1'='1", 'x" OR 1=1 --', "x'; DROP TABLE users; --", 'x%', 'x_', '%', '_']) {
      const res = await call({ method: 'GET', url: `/api/v1/users?q=${encodeURIComponent(q)}` });
      expect(res.statusCode).toBe(200);
      expect(res.json().total, q).toBe(0);
    }
    const customers = await call({
      method: 'GET',
      url: `/api/v1/customers?q=${encodeURIComponent("' OR 1=1 --")}`,
    });
    expect(customers.json()).toEqual([]);
  });

  it('still has every table and every row afterwards', async () => {
    for (const table of [
      'users',
      'customers',
      'sites',
      'contacts',
      'portal_roles',
      'groups',
      'admins',
      'audit_log',
    ]) {
      const { rows } = await sql<{
        n: number | string;
      }>`select count(*) as n from ${sql.table(table)}`.execute(api.db.ctx.db);
      expect(Number(rows[0]?.n), table).toBeGreaterThan(0);
    }
    const users = await call({ method: 'GET', url: '/api/v1/users' });
    expect(users.statusCode).toBe(200);
    expect(users.json().total).toBeGreaterThan(HOSTILE.length);
  });
});

describe('error answers', () => {
  it('never contain a stack trace or a dependency path', () => {
    const errorsSeen = answers.filter((a) => a.status >= 400);
    expect(errorsSeen.length).toBeGreaterThan(200);
    for (const a of answers) {
      expect(a.body, a.what).not.toMatch(STACK_TRACE);
      expect(a.status, `${a.what}: ${a.body}`).toBeLessThan(500);
    }
  });
});
