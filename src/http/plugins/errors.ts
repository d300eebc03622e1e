import type { FastifyError, FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { isResponseSerializationError } from 'fastify-type-provider-zod';
import { type $ZodType, safeParse } from 'zod/v4/core';
import { appError, type ErrorCode, errors, isAppError } from '../../core/errors.js';
import { problemsOfIssues, type SchemaIssue } from '../../core/problems.js';

/** A request part refused by its schema, with zod's issues as they were (paths as arrays). */
class SchemaRejection extends Error {
  validationContext?: string;
  constructor(readonly issues: readonly SchemaIssue[]) {
    super('The request does not match its schema.');
  }
}

/**
 * Checks a route's params, query string, headers and body against its zod schema. Unlike the type
 * provider's own compiler, it keeps each issue's path as a list, so that a key with a `/` or a `.`
 * in it (a column header, say) still names the right field.
 */
export const validatorCompiler: FastifySchemaCompiler<$ZodType> =
  ({ schema }) =>
  (data) => {
    const result = safeParse(schema, data);
    return result.success ? { value: result.data } : { error: new SchemaRejection(result.error.issues) };
  };

/** Where a part of the request goes in a problem's field: body fields by their own name. */
const PART_PREFIX: Record<string, string> = {
  body: '',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

/**
 * Every failure leaves as `{code, message, details}`: a stable code of the catalogue, a sentence
 * for a person, and structured details; problems with fields as `details.problems`. No stack trace
 * ever leaves the server.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isAppError(error)) {
      if (
        (error.status === 429 || error.status === 503) &&
        typeof error.details.retryAfterSeconds === 'number'
      ) {
        reply.header('retry-after', String(error.details.retryAfterSeconds));
      }
      return reply.status(error.status).send(error.toJSON());
    }
    if (error instanceof SchemaRejection) {
      const part = error.validationContext ?? 'body';
      const refused = errors.problems(problemsOfIssues(error.issues, PART_PREFIX[part] ?? part));
      return reply.status(refused.status).send(refused.toJSON());
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, issues: error.cause.issues }, 'response did not match its schema');
      return reply.status(500).send(appError('internal').toJSON());
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send(clientError(error, status).toJSON());
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(appError('internal').toJSON());
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(
        appError(
          'route.not_found',
          `There is no ${request.method} ${request.url.split('?')[0]}. See /api/docs for the API.`,
        ).toJSON(),
      );
  });
}

/** Fastify's own refusals (body parsing, limits) in the catalogue's terms. */
function clientError(error: FastifyError, status: number) {
  const code: ErrorCode | null =
    error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    error instanceof SyntaxError ||
    error.name === 'SyntaxError'
      ? 'request.malformed_json'
      : error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'request.too_large'
        : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'request.unsupported_media_type'
          : null;
  if (code === 'request.malformed_json')
    return appError(code, `The body is not valid JSON: ${error.message}`);
  if (code) return appError(code);
  return appError('request.rejected', error.message, { status });
}
