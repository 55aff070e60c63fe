import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The CLI's settings file, `$XDG_CONFIG_HOME/ktrdr/config.json` (default `~/.config/ktrdr/config.json`):
 * `{"api_url": "...", "api_token": "..."}`. The environment (`KTRDR_API_URL`, `KTRDR_API_TOKEN`) wins
 * over it. A missing or unreadable file is the same as an empty one: the CLI must work without it.
 */
export interface CliFileConfig {
  api_url?: string;
  api_token?: string;
}

export function cliConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME']?.trim() || join(env['HOME']?.trim() || homedir(), '.config');
  return join(base, 'ktrdr', 'config.json');
}

export function readCliConfig(env: NodeJS.ProcessEnv = process.env): CliFileConfig {
  try {
    const v: unknown = JSON.parse(readFileSync(cliConfigPath(env), 'utf8'));
    if (!v || typeof v !== 'object') return {};
    const o = v as Record<string, unknown>;
    return {
      ...(typeof o['api_url'] === 'string' && o['api_url'].trim() ? { api_url: o['api_url'].trim() } : {}),
      ...(typeof o['api_token'] === 'string' && o['api_token'].trim() ? { api_token: o['api_token'].trim() } : {}),
    };
  } catch {
    return {};
  }
}

/** The bearer token the CLI sends: `KTRDR_API_TOKEN`, else the config file's `api_token`, else none. */
export function apiTokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  return env['KTRDR_API_TOKEN']?.trim() || readCliConfig(env).api_token || null;
}
