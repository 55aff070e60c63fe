import 'reflect-metadata';
import { ConfigError, type Logger } from '@ktrdr/runtime';
import { loadApiConfig, type ApiConfig } from './api.config.js';
import { listenRefusal } from './auth.policy.js';
import { API_LOGGER } from './backend.service.js';
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
  // Checked before anything connects or listens: an open API on the network is refused at boot.
  const refusal = listenRefusal(config.host, config.auth);
  if (refusal) {
    process.stderr.write(`api: ${refusal}\n`);
    process.exit(1);
  }
  const app = await createHttpApp(config);
  await app.listen(config.port, config.host);
  app.get<Logger>(API_LOGGER).info({ url: await app.getUrl(), auth: config.auth.token ? 'token' : 'open' }, 'api listening');
}

void bootstrap().catch((e: unknown) => {
  process.stderr.write(`api: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
