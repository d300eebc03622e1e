import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { isAppError } from '../../core/errors.js';

interface Issue {
  path: string;
  message: string;
}

/**
 * Every failure leaves as `{code, message, details}`: a stable code, a sentence for a person, and
 * structured details. No stack trace ever leaves the server.
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
    if (hasZodFastifySchemaValidationErrors(error)) {
      const part = error.validationContext ?? 'request';
      const issues: Issue[] = error.validation.map((v) => ({
        path: [part, ...(v.instancePath ? v.instancePath.split('/').filter(Boolean) : [])].join('.'),
        message: describeIssue(v.params as Record<string, unknown>, v.message ?? 'is invalid'),
      }));
      const first = issues[0];
      return reply.status(400).send({
        code: 'request.invalid',
        message: first ? `${first.path}: ${first.message}` : 'The request is not valid.',
        details: { issues },
      });
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, issues: error.cause.issues }, 'response did not match its schema');
      return reply.status(500).send(internal());
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send(clientError(error, status));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(internal());
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      code: 'route.not_found',
      message: `There is no ${request.method} ${request.url.split('?')[0]}. See /api/docs for the API.`,
      details: {},
    });
  });
}

function describeIssue(params: Record<string, unknown> | undefined, fallback: string): string {
  const issue = params?.issue as { code?: string; keys?: string[] } | undefined;
  if (issue?.code === 'unrecognized_keys' && issue.keys) {
    return `unknown field(s): ${issue.keys.join(', ')}. Remove them; see /api/docs for the fields this accepts.`;
  }
  return fallback;
}

function internal() {
  return {
    code: 'internal',
    message: 'Something went wrong on the server. It has been logged.',
    details: {},
  };
}

function clientError(error: FastifyError, status: number) {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        code: 'request.malformed_json',
        message: `The body is not valid JSON: ${error.message}`,
        details: {},
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'request.too_large', message: 'The request body is too large.', details: {} };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        code: 'request.unsupported_media_type',
        message: 'Send the body as application/json.',
        details: {},
      };
  }
  if (error instanceof SyntaxError || error.name === 'SyntaxError') {
    return {
      code: 'request.malformed_json',
      message: `The body is not valid JSON: ${error.message}`,
      details: {},
    };
  }
  return { code: 'request.rejected', message: error.message, details: { status } };
}
