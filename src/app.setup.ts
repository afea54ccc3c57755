import { join } from 'node:path';
import { HttpStatus, RequestMethod, type NestApplicationOptions } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { createAppLogger } from './common/app-logger.js';
import { rejectDeeplyNestedBodies } from './common/body-depth.middleware.js';
import { installClientErrorHandler } from './common/client-error.handler.js';
import { errorEnvelope } from './common/error-envelope.js';
import { setupOpenApi } from './common/openapi.js';
import { REQUEST_ID_HEADER } from './common/request-context.js';
import { requestContextMiddleware } from './common/request-context.middleware.js';
import type { AppConfig } from './config/configuration.js';
import { MetricsService } from './metrics/metrics.service.js';
import { SignalingIoAdapter } from './signaling/transport/signaling-io.adapter.js';

export const API_PREFIX = 'api/v1';
/** The reference web client's static files (public/ next to src/ and dist/). */
export const PUBLIC_DIR = join(import.meta.dirname, '..', 'public');
const CLIENT_ROUTES = /^\/(login|history|meet\/[^/]+\/?)$/;

/** Options for NestFactory.create / createNestApplication, shared by main.ts and the tests. */
export function applicationOptions(config: AppConfig): NestApplicationOptions {
  return {
    // Registered by configureApplication, with our limit and after the request-id middleware.
    bodyParser: false,
    // Keep-alive connections would otherwise hold app.close() open until they time out.
    forceCloseConnections: true,
    abortOnError: false,
    bufferLogs: false,
    logger: createAppLogger(config.logging),
  };
}

/**
 * Everything HTTP-level that must be identical in production and in tests: request ids,
 * security headers, CORS, body limits, the /api/v1 prefix and parser-level errors.
 */
export async function configureApplication(
  app: NestExpressApplication,
  config: AppConfig,
): Promise<void> {
  app.set('trust proxy', config.http.trustProxy);
  app.use(requestContextMiddleware(app.get(MetricsService)));
  // Plain-HTTP development (http://localhost) must not have its requests upgraded to https.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.enableCors({
    origin: config.http.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', REQUEST_ID_HEADER],
    exposedHeaders: [REQUEST_ID_HEADER, 'Retry-After'],
    maxAge: 600,
  });
  app.useBodyParser('json', { limit: config.http.bodyLimitBytes });
  app.useBodyParser('urlencoded', { limit: config.http.bodyLimitBytes, extended: false });
  // Every parsed body, on every route (the compatibility ones too), before guards and pipes.
  app.use(rejectDeeplyNestedBodies());
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  const ioAdapter = new SignalingIoAdapter(app, config);
  await ioAdapter.connect();
  app.useWebSocketAdapter(ioAdapter);
  // The reference web client, at / (not under /api).
  app.useStaticAssets(PUBLIC_DIR, { index: 'index.html', maxAge: '1h' });
  installClientErrorHandler(app.getHttpServer());
  setupOpenApi(app);

  // Nest answers unknown paths under the prefix itself; anything else that no route or
  // static file claimed ends here, after every route registered by init().
  await app.init();
  // The client's own pages (deep links such as /meet/abc-defg-hij) are all its index.html.
  app.use((request: Request, response: Response, next: () => void) => {
    const clientPage = request.method === 'GET' && CLIENT_ROUTES.test(request.path);
    if (clientPage) response.sendFile(join(PUBLIC_DIR, 'index.html'));
    else next();
  });
  app.use((request: Request, response: Response) => {
    response
      .status(HttpStatus.NOT_FOUND)
      .json(errorEnvelope(HttpStatus.NOT_FOUND, `Cannot ${request.method} ${request.path}`));
  });
}
