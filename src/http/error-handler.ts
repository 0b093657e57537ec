import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError } from '../shared/errors.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { isRetryable } from '../db/transaction.js';
import type { Logger } from '../shared/logger.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Turns any error into the status and JSON body a client may see (never a stack trace). */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof AppError) {
    const error: ErrorBody['error'] = { code: err.code, message: err.message };
    if (err.details !== undefined) error.details = err.details;
    return { status: err.status, body: { error } };
  }
  if (err instanceof ZodError) {
    const details = err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    const first = details[0];
    const message = first ? `${first.path || 'body'}: ${first.message}` : 'invalid request';
    return { status: 400, body: { error: { code: 'VALIDATION_FAILED', message, details } } };
  }
  const httpErr = err as { type?: unknown; status?: unknown; expose?: unknown; message?: unknown };
  if (httpErr.type === 'entity.too.large') {
    return { status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body too large' } } };
  }
  if (httpErr.type === 'entity.parse.failed') {
    return { status: 400, body: { error: { code: 'MALFORMED_BODY', message: 'request body is not valid JSON' } } };
  }
  if (typeof httpErr.status === 'number' && httpErr.status >= 400 && httpErr.status < 500 && httpErr.expose === true) {
    return { status: httpErr.status, body: { error: { code: 'BAD_REQUEST', message: String(httpErr.message) } } };
  }
  if (isDatabaseUnavailable(err)) {
    return { status: 503, body: { error: { code: 'DATABASE_UNAVAILABLE', message: 'the database is unavailable; retry shortly' } } };
  }
  // A conflict still failing after the bounded retries of withTx: the request did nothing; retrying is safe.
  if (isRetryable(err)) {
    return { status: 503, body: { error: { code: 'DATABASE_BUSY', message: 'the database is busy with conflicting changes; retry shortly' } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const { status, body } = toErrorResponse(err);
    const log = status >= 500 ? logger.error.bind(logger) : logger.info.bind(logger);
    log('request failed', {
      status,
      code: body.error.code,
      method: req.method,
      path: req.path,
      error: status >= 500 ? { message: (err as Error).message, stack: (err as Error).stack } : (err as Error).message,
    });
    const requestId = res.locals['requestId'];
    if (status >= 500 && typeof requestId === 'string') body.error.details = { requestId };
    res.status(status).json(body);
  };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'NOT_FOUND', message: `no route for ${req.method} ${req.path}` } });
};
