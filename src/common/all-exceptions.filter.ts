import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  describeInvalidDataError,
  isDatabaseUnavailableError,
  isInvalidDataError,
} from '../database/database-errors.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { type ErrorEnvelope, errorEnvelope } from './error-envelope.js';
import { RateLimitedException } from './rate-limited.exception.js';
import type { RequestWithContext } from './request-context.js';
import { RequestValidationException } from './validation.js';

/** Errors raised by Express's body parser (http-errors), identified by their `type`. */
interface BodyParserError extends Error {
  type: string;
  status: number;
  limit?: number;
}

const BODY_PARSER_MESSAGES: Readonly<Record<string, string>> = {
  'entity.parse.failed': 'Malformed JSON in request body',
  'entity.too.large': 'Request body is too large',
  'encoding.unsupported': 'Unsupported request body encoding',
  'charset.unsupported': 'Unsupported request body charset',
  'request.aborted': 'Request aborted',
  'request.size.invalid': 'Request body size does not match Content-Length',
  'stream.encoding.set': 'Unreadable request body',
  'parameters.too.many': 'Too many parameters in request body',
};

/** The 400 for data that Mongoose or the driver refused (see isInvalidDataError). */
export const INVALID_DATA_MESSAGE = 'Invalid request data';

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    error instanceof Error &&
    typeof (error as Partial<BodyParserError>).type === 'string' &&
    typeof (error as Partial<BodyParserError>).status === 'number'
  );
}

function messageOf(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  if (typeof message === 'string') return message;
  return exception.message;
}

/**
 * The single place where an HTTP error becomes a response: always `{error, status}`
 * (plus `details` for validation). Unknown errors answer a generic 500 and their stack
 * goes to the log with the request id, never to the client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  constructor(private readonly metrics: MetricsService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const context = host.switchToHttp();
    const request = context.getRequest<RequestWithContext>();
    const response = context.getResponse<Response>();
    const envelope = this.toEnvelope(exception, request);

    if (response.headersSent) {
      response.end();
      return;
    }
    if (exception instanceof RateLimitedException) {
      response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    }
    response.status(envelope.status).json(envelope);
  }

  toEnvelope(exception: unknown, request: RequestWithContext): ErrorEnvelope {
    if (exception instanceof RequestValidationException) {
      return errorEnvelope(HttpStatus.BAD_REQUEST, 'Validation failed', exception.problems);
    }
    // Nest wraps the body parser's errors in an HttpException whose cause is the original.
    const parserError = exception instanceof HttpException ? exception.cause : exception;
    if (isBodyParserError(parserError) && parserError.status >= 400 && parserError.status < 500) {
      return errorEnvelope(
        parserError.status,
        BODY_PARSER_MESSAGES[parserError.type] ?? 'Unreadable request body',
      );
    }
    if (exception instanceof HttpException) {
      return errorEnvelope(exception.getStatus(), messageOf(exception));
    }
    if (isInvalidDataError(exception)) {
      // A client's data got past the DTOs to Mongoose or the driver: a 400, never its message
      // (it names models and quotes values); the log says where, so the DTO can be fixed.
      this.logger.warn(
        `invalid data reached the database layer during ${request.method} ${request.path} id=${request.requestId ?? '-'}: ${describeInvalidDataError(exception)}`,
      );
      return errorEnvelope(HttpStatus.BAD_REQUEST, INVALID_DATA_MESSAGE);
    }
    if (isDatabaseUnavailableError(exception)) {
      this.metrics.databaseErrors.inc();
      this.logger.warn(
        `database unavailable during ${request.method} ${request.path} id=${request.requestId ?? '-'}: ${String((exception as { message?: unknown }).message)}`,
      );
      return errorEnvelope(HttpStatus.SERVICE_UNAVAILABLE, 'database unavailable');
    }
    this.logger.error(
      `unhandled error during ${request.method} ${request.path} id=${request.requestId ?? '-'}`,
      typeof (exception as { stack?: unknown } | null)?.stack === 'string'
        ? (exception as { stack: string }).stack
        : String(exception),
    );
    return errorEnvelope(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
  }
}
