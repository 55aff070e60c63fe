import 'reflect-metadata';
import { ConfigError } from '@ktrdr/runtime';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadWorkerConfig, type WorkerConfig } from './worker.config.js';
import { WorkerModule } from './worker.module.js';

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
  // An application context: no public HTTP. Shutdown hooks turn SIGTERM/SIGINT into a clean stop.
  const app = await NestFactory.createApplicationContext(WorkerModule.forConfig(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
}

void bootstrap().catch((e: unknown) => {
  process.stderr.write(`research-worker: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
