import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { NextFunction, RequestHandler, Response } from 'express';
import type { MetricsService } from '../metrics/metrics.service.js';
import { REQUEST_ID_HEADER, type RequestWithContext } from './request-context.js';

/** A caller's id is kept only if it is short and plain, so it cannot forge log lines. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The route pattern (`/api/v1/meetings/:code`), not the raw path, keeps label cardinality low. */
function routeLabel(request: RequestWithContext): string {
  const route = (request as { route?: { path?: unknown } }).route?.path;
  return typeof route === 'string' ? `${request.baseUrl}${route}` : 'unmatched';
}

/**
 * Gives every request an id (echoing a sane incoming X-Request-Id) and logs one line per
 * request when the response is done: method, path, status, duration, id. Never the query
 * string (tokens may travel there), bodies or headers.
 * Registered first, before the body parser, so even a malformed body gets an id and a line.
 */
export function requestContextMiddleware(
  metrics?: MetricsService,
  logger = new Logger('HTTP'),
): RequestHandler {
  return (request: RequestWithContext, response: Response, next: NextFunction): void => {
    const incoming = request.get(REQUEST_ID_HEADER);
    const requestId = incoming && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    request.requestId = requestId;
    response.setHeader(REQUEST_ID_HEADER, requestId);

    const startedAt = process.hrtime.bigint();
    const path = request.originalUrl.split('?', 1)[0];
    response.once('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
      metrics?.httpDuration.observe(
        { method: request.method, route: routeLabel(request), status: String(response.statusCode) },
        durationMs / 1000,
      );
      logger.log(
        `${request.method} ${path} ${response.statusCode} ${durationMs.toFixed(1)}ms id=${requestId}`,
      );
    });
    next();
  };
}
