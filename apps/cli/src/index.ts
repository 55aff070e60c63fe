/** Programmatic surface of @ktrdr/cli: the command registry and the API client. */
export { COMMANDS } from './commands.js';
export { ApiClient, apiUrlFromEnv, DEFAULT_API_URL } from './lib/api.client.js';
export { ApiError } from './lib/api.error.js';
