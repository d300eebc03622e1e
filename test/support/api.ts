import type { FastifyBaseLogger, FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createAdmin, createToken } from '../../src/app/admins.js';
import { startWorkers } from '../../src/app/workers.js';
import { type AdminRole, SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { buildServer } from '../../src/http/server.js';
import { openTestDb, type TestDb, type TestDbOptions } from './db.js';
import { until } from './wait.js';

export interface Caller {
  adminId: number;
  email: string;
  role: AdminRole;
  customerId: number | null;
  /** Cookie-authenticated requests, with the CSRF header on changes. */
  cookie: (opts: InjectOptions) => Promise<LightMyRequestResponse>;
  /** Bearer-token requests. */
  token: (opts: InjectOptions) => Promise<LightMyRequestResponse>;
  tokenSecret: string;
}

export interface TestApi {
  db: TestDb;
  app: FastifyInstance;
  request: (opts: InjectOptions) => Promise<LightMyRequestResponse>;
  /** Creates an admin with a session and an API token. */
  caller(role: AdminRole, customerId?: number | null): Promise<Caller>;
  close(): Promise<void>;
}

let counter = 0;
export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestApiOptions extends TestDbOptions {
  /** The server's logger too (a pino instance), for tests that read what is logged. */
  serverLog?: FastifyBaseLogger;
}

export async function startApi(options: TestApiOptions = {}): Promise<TestApi> {
  const db = await openTestDb(options);
  const workers = await startWorkers(db.ctx);
  const app = await buildServer(db.ctx, options.serverLog ? { loggerInstance: options.serverLog } : {});
  const request = (opts: InjectOptions) => app.inject(opts);
  return {
    db,
    app,
    request,
    async caller(role, customerId = null) {
      const email = `${role}.${++counter}.${Date.now()}@admins.example`;
      const admin = await createAdmin(db.ctx, SYSTEM_ACTOR, {
        email,
        name: `${role} ${counter}`,
        role,
        customerId,
        password: TEST_PASSWORD,
      });
      const login = await request({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password: TEST_PASSWORD },
      });
      if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
      const cookie = login.cookies.find((c) => c.name === 'roster_session')!.value;
      const csrf = (login.json() as { csrfToken: string }).csrfToken;
      const { secret } = await createToken(db.ctx, SYSTEM_ACTOR, {
        name: `${email} token`,
        adminId: admin.id,
      });
      return {
        adminId: admin.id,
        email,
        role,
        customerId,
        tokenSecret: secret,
        cookie: (opts) =>
          request({
            ...opts,
            cookies: { roster_session: cookie },
            headers: { ...(opts.headers ?? {}), 'x-csrf-token': csrf },
          }),
        token: (opts) =>
          request({ ...opts, headers: { ...(opts.headers ?? {}), authorization: `Bearer ${secret}` } }),
      };
    },
    async close() {
      db.ctx.shutdown.abort();
      await app.close();
      await workers.stop();
      await db.close();
    },
  };
}

const RUNNING = ['queued', 'committing', 'cancelling', 'rolling_back'];

/** Waits until an import's background work has settled, and returns it as the API shows it. */
export async function settled(caller: Caller, id: number, timeoutMs = 60_000) {
  return until(
    `import ${id} to settle`,
    async () => (await caller.token({ method: 'GET', url: `/api/v1/imports/${id}` })).json(),
    (view) => !RUNNING.includes(view.status),
    timeoutMs,
  );
}

/** Waits until no import of the database has background work queued or running. */
export async function allSettled(api: TestApi, timeoutMs = 60_000): Promise<void> {
  await until(
    'every import to settle',
    () => api.db.ctx.db.selectFrom('imports').select('id').where('status', 'in', RUNNING).execute(),
    (busy) => busy.length === 0,
    timeoutMs,
  );
}
