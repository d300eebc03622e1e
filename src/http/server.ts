import fs from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
} from 'fastify-type-provider-zod';
import pino from 'pino';
import type { AppContext } from '../app/context.js';
import { optionsJsonSchema } from '../app/imports/options.js';
import { ERROR_CATALOGUE } from '../core/errors.js';
import { ping } from '../storage/database.js';
import { registerAuth } from './plugins/auth.js';
import { registerErrorHandling, validatorCompiler } from './plugins/errors.js';
import { registerOriginCheck } from './plugins/origin.js';
import { registerPortalAuth } from './plugins/portal-auth.js';
import { registerSecurityHeaders } from './plugins/security-headers.js';
import { adminRoutes } from './routes/admin.js';
import { authRoutes } from './routes/auth.js';
import { directoryRoutes } from './routes/directory.js';
import { importRoutes } from './routes/imports.js';
import { mailRoutes } from './routes/mail.js';
import { notificationRoutes } from './routes/notifications.js';
import { portalRoutes } from './routes/portal.js';
import { recordRoutes } from './routes/records.js';
import { userRoutes } from './routes/users.js';

declare module 'fastify' {
  interface FastifyInstance {
    apiRoutes: { method: string; url: string }[];
  }
}

export interface ServerOptions {
  /** Pino logger options, or false for none (tests). */
  logger?: boolean | object;
  /** A ready pino instance shared with the use cases (takes precedence over `logger`). */
  loggerInstance?: FastifyBaseLogger;
}

/** Headers and body fields that must never reach a log line. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
];

/** A request's address as logged: the secret of an email link (`?token=`) never reaches a log line. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|password|secret)=)[^&#]*/gi, '$1[redacted]');
}

/** Pino serializers for requests: Fastify's own fields, with the address redacted. */
export const LOG_SERIALIZERS = {
  req(req: {
    method?: string;
    url?: string;
    headers?: Record<string, unknown>;
    ip?: string;
    socket?: { remotePort?: number };
  }) {
    return {
      method: req.method,
      url: redactUrl(req.url ?? ''),
      host: req.headers?.host,
      remoteAddress: req.ip,
      remotePort: req.socket?.remotePort,
    };
  },
};

/** The process's logger: secrets redacted by path, email links by address. */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, serializers: LOG_SERIALIZERS },
    destination,
  );
}

/** Every error code the API answers with, its HTTP status and default message (an OpenAPI extension). */
const ERROR_CODES_EXTENSION: Record<string, unknown> = { 'x-error-codes': ERROR_CATALOGUE };

/** The built admin console (`npm run build`): dist/web from the sources and from dist alike. */
export const CONSOLE_DIR = path.resolve(import.meta.dirname, '../../dist/web');

/** Pages that links in emails open (activation, password reset), served by the console. */
export const EMAIL_LINK_PAGES = ['/activate', '/reset-password'] as const;

/**
 * Serves the admin console at `/`: its files as they are, and index.html for any other page a browser
 * navigates to (client-side routing: a GET that accepts text/html, outside /api, not a file name).
 * Everything else keeps the API's JSON 404, so /api/* and scripts never get the console's page.
 */
async function registerConsole(app: FastifyInstance, dir = CONSOLE_DIR): Promise<void> {
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    app.log.warn({ dir }, 'admin console not built (run `npm run build`): / is not served');
    return;
  }
  // The build writes .br and .gz copies (scripts/compress-web.mjs), sent to browsers that take them.
  // `/` is answered below like every other page: with `index` and preCompressed, @fastify/static
  // answers `/` with 404 to a browser that takes br or gzip.
  await app.register(fastifyStatic, { root: dir, wildcard: false, index: false, preCompressed: true });
  // Vite names each asset by its content's hash, so a browser may keep it for good.
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 200 && request.url.startsWith('/assets/')) {
      reply.header('cache-control', 'public, max-age=31536000, immutable');
    }
    return payload;
  });
  // The addresses emails link to: the console's portal pages, whatever the client accepts. Their
  // address holds a token, so it is never sent on as a referrer nor kept in a cache.
  for (const page of EMAIL_LINK_PAGES) {
    app.get(page, { schema: { hide: true } }, (_request, reply) =>
      reply
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .sendFile('index.html', { cacheControl: false }),
    );
  }
  app.get('/', { schema: { hide: true } }, (_request, reply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html'),
  );
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '';
    const isApi = pathname === '/api' || pathname.startsWith('/api/');
    const isFile = /\.[a-z0-9]+$/i.test(pathname);
    const wantsPage = (request.headers.accept ?? '').includes('text/html');
    if (isApi || isFile || !wantsPage) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}

export async function buildServer(ctx: AppContext, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance }
      : { logger: options.logger ?? false }),
    trustProxy: ctx.config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Query strings like ?status=a,b are parsed by the schemas; keep Fastify's parser plain.
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API speaks JSON only: a text/plain body is refused (415) like any other non-JSON body.
  app.removeContentTypeParser('text/plain');
  registerErrorHandling(app);
  registerSecurityHeaders(app, ctx.config.publicUrl);
  registerOriginCheck(app, ctx.config.publicUrl);

  await app.register(fastifyCookie);
  await app.register(fastifyMultipart);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Roster API',
        version: '1',
        description:
          'Manage portal users, customers and imports. Authenticate with a session cookie (plus the X-CSRF-Token header on changes) or with `Authorization: Bearer <API token>`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token (rst_…)' },
          session: { type: 'apiKey', in: 'cookie', name: 'roster_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
      ...ERROR_CODES_EXTENSION,
    },
    transform: jsonSchemaTransform,
    // Each import target's own options, as `TargetOptions.<target>`: read from the registry when
    // the document is made, so a target registered at start-up (or by a test) is in it.
    transformObject: (doc) => {
      const out = jsonSchemaTransformObject(doc);
      // The document is OpenAPI 3 (`openapi` above), whose components hold schemas by name.
      const v3 = out as { components?: { schemas?: Record<string, unknown> } };
      const schemas: Record<string, unknown> = { ...v3.components?.schemas };
      for (const name of ctx.targets.names()) {
        schemas[`TargetOptions.${name}`] = optionsJsonSchema(ctx.targets.get(name).target, 'openapi-3.0');
      }
      v3.components = { ...v3.components, schemas };
      return out;
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  registerAuth(app, ctx);
  registerPortalAuth(app, ctx);

  // Every /api/v1 route, as registered: tests check each is documented and access-controlled.
  const apiRoutes: { method: string; url: string }[] = [];
  app.decorate('apiRoutes', apiRoutes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1/')) return;
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') apiRoutes.push({ method, url: route.url });
    }
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await ping(ctx.db);
      return { status: 'ready', database: ctx.storage.dialect };
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: ctx.storage.dialect });
    }
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  authRoutes(app, ctx);
  userRoutes(app, ctx);
  directoryRoutes(app, ctx);
  adminRoutes(app, ctx);
  importRoutes(app, ctx);
  recordRoutes(app, ctx);
  notificationRoutes(app, ctx);
  mailRoutes(app, ctx);
  portalRoutes(app, ctx);
  await registerConsole(app);
  await app.ready();
  return app;
}
