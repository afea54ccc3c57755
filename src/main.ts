import 'reflect-metadata';
import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { applicationOptions, configureApplication } from './app.setup.js';
import { type AppConfig, ConfigurationError, loadConfiguration } from './config/configuration.js';
import { ThrottledLog } from './common/throttled-log.js';
import { readProcessEnvironment } from './config/environment.js';
import { MetricsService } from './metrics/metrics.service.js';

/** The process must be gone within 10 s of SIGTERM; keep a margin for the exit itself. */
const SHUTDOWN_DEADLINE_MS = 9_000;

function readConfigurationOrExit(): AppConfig {
  try {
    return loadConfiguration(readProcessEnvironment());
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** SIGTERM/SIGINT: stop accepting connections, close everything, exit 0 (or 1 past the deadline). */
function closeOnSignals(app: INestApplication, logger: Logger): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received, shutting down`);
    setTimeout(() => {
      logger.error(`shutdown did not finish within ${SHUTDOWN_DEADLINE_MS} ms, exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.close().then(
      () => {
        logger.log('shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('shutdown failed', error instanceof Error ? error.stack : String(error));
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/**
 * The last resort for a promise rejection nothing handled (a library's fire-and-forget call
 * failing during an outage): logged (throttled) and counted, instead of Node's default of
 * killing the process and every call on it.
 */
function surviveUnhandledRejections(app: INestApplication): void {
  const log = new ThrottledLog(new Logger('Process'));
  const counter = app.get(MetricsService).unhandledRejections;
  process.on('unhandledRejection', (reason: unknown) => {
    counter.inc();
    log.warn(
      `unhandled promise rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
    );
  });
}

async function bootstrap(): Promise<void> {
  const config = readConfigurationOrExit();
  const logger = new Logger('Bootstrap');
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config),
    applicationOptions(config),
  );
  await configureApplication(app, config);
  if (config.auth.jwtSecretGenerated) {
    logger.warn(
      'JWT_SECRET is not set: using a random secret for this process only (sign-ins end at restart). Set JWT_SECRET.',
    );
  }
  surviveUnhandledRejections(app);
  closeOnSignals(app, logger);
  await app.listen(config.http.port);
  logger.log(`listening on port ${config.http.port} (NODE_ENV=${config.nodeEnv})`);
}

bootstrap().catch((error: unknown) => {
  new Logger('Bootstrap').fatal(
    'failed to start',
    error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
  process.exit(1);
});
