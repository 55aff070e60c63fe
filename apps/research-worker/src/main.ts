import 'reflect-metadata';
import { ConfigError, createLogger } from '@ktrdr/runtime';
import { NestFactory } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { Logger } from 'nestjs-pino';
import { handleShutdownSignals } from './shutdown.signals.js';
import { ThrottledLogger } from './throttled.logger.js';
import { loadWorkerConfig, type WorkerConfig } from './worker.config.js';
import { WorkerModule } from './worker.module.js';
import { WORKER_REDIS } from './worker.providers.js';

async function bootstrap(): Promise<void> {
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig(); // fail fast, listing every bad variable, before Nest starts anything
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`research-worker: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const logger = createLogger('research-worker', config.logLevel);
  // Said once, not refused: an older deployment's setting is harmless, but its directory is no longer written or read.
  if (process.env['KTRDR_MODELS_DIR']) {
    logger.warn({ KTRDR_MODELS_DIR: process.env['KTRDR_MODELS_DIR'] }, 'KTRDR_MODELS_DIR is no longer read: trained models live in the Redis blob store');
  }
  const failures = new ThrottledLogger(logger);
  let redis: Redis | null = null;
  // Listening before Nest starts: a worker that cannot finish starting (no Redis) still stops in time.
  const shutdown = handleShutdownSignals({
    graceMs: config.shutdownGraceMs,
    log: logger,
    diagnose: () => (!redis ? 'the worker was still starting (is Redis reachable?)' : redis.status !== 'ready' ? 'Redis unreachable' : null),
    beforeExit: () => failures.flush(),
  });
  // An application context: no public HTTP. SIGTERM/SIGINT close it (shutdown.signals.ts).
  const app = await NestFactory.createApplicationContext(WorkerModule.forConfig(config, logger, failures), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  redis = app.get<Redis>(WORKER_REDIS);
  shutdown.attach(app);
}

void bootstrap().catch((e: unknown) => {
  process.stderr.write(`research-worker: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
