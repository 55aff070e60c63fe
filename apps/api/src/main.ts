import 'reflect-metadata';
import { ConfigError } from '@ktrdr/runtime';
import { loadApiConfig, type ApiConfig } from './api.config.js';
import { createHttpApp } from './http.app.js';

async function bootstrap(): Promise<void> {
  let config: ApiConfig;
  try {
    config = loadApiConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`api: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const app = await createHttpApp(config);
  await app.listen(config.port, config.host);
  process.stdout.write(`${JSON.stringify({ level: 30, service: 'api', msg: 'api listening', url: await app.getUrl() })}\n`);
}

void bootstrap().catch((e: unknown) => {
  process.stderr.write(`api: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
