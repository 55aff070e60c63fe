import { DEFAULT_API_PORT, type LauncherConfig } from './launcher.config.js';

export interface BannerFacts {
  redisDescription: string;
  apiReused: boolean;
  /** What the worker runs: real phases (Claude or offline) or stubs. */
  mode: string;
}

/** The short "it is up, here is what to do next" block printed once everything is ready. */
export function formatBanner(config: LauncherConfig, facts: BannerFacts): string {
  const api = config.apiPublicUrl;
  // The CLI defaults to http://localhost:8000; any other address has to be passed on.
  const cli = config.apiPort === DEFAULT_API_PORT && api === `http://localhost:${DEFAULT_API_PORT}` ? 'npx ktrdr' : `KTRDR_API_URL=${api} npx ktrdr`;
  return [
    '',
    'ktrdr is running',
    `  API:    ${api}/api/v1${facts.apiReused ? ' (already running, reused; not stopped on exit)' : ''}`,
    `  Docs:   ${api}/api/docs`,
    `  Redis:  ${facts.redisDescription}`,
    `  Mode:   ${facts.mode} (LOG_LEVEL=${config.logLevel})`,
    '',
    'Next:',
    `  ${cli} agent trigger --follow`,
    `  ${cli} operations list`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}
