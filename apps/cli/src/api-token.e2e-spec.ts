/**
 * End to end: the built `ktrdr` binary sends the API token from KTRDR_API_TOKEN or from
 * its config file, the environment winning. Needs `npm run build` first.
 */
import { runKtrdr } from '../../../tools/testing/cli.runner';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../../../tools/testing/stack.harness';
const TOKEN = 'cli-e2e-token-0123456789abcdef';
let stack: Stack;
let configHome: string;

beforeAll(async () => {
  stack = await startStack({ workers: [], apiEnv: { KTRDR_API_TOKEN: TOKEN } });
  configHome = mkdtempSync(join(tmpdir(), 'ktrdr-cli-config-'));
});
afterAll(async () => {
  await stack?.stop();
  rmSync(configHome, { recursive: true, force: true });
});

/** The CLI with nothing of this process's environment: HOME points at a scratch config directory. */
const ktrdr = (args: string[], env: Record<string, string>) =>
  runKtrdr(args, { isolatedEnv: true, env: { HOME: configHome, XDG_CONFIG_HOME: join(configHome, '.config'), ...env } });

function writeConfig(config: Record<string, string>): void {
  mkdirSync(join(configHome, '.config', 'ktrdr'), { recursive: true });
  writeFileSync(join(configHome, '.config', 'ktrdr', 'config.json'), JSON.stringify(config));
}

describe('ktrdr and the API token', () => {
  it('without a token the refusal is one clear line and a non-zero exit', async () => {
    const r = await ktrdr(['agent', 'status'], { KTRDR_API_URL: stack.apiUrl });
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain('API token');
  });

  it('sends KTRDR_API_TOKEN', async () => {
    const r = await ktrdr(['agent', 'status', '--json'], { KTRDR_API_URL: stack.apiUrl, KTRDR_API_TOKEN: TOKEN });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'idle' });
  });

  it('reads api_url and api_token from ~/.config/ktrdr/config.json; the environment wins', async () => {
    writeConfig({ api_url: stack.apiUrl, api_token: TOKEN });
    const fromFile = await ktrdr(['agent', 'status', '--json'], {});
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ status: 'idle' });

    const envWins = await ktrdr(['agent', 'status'], { KTRDR_API_TOKEN: 'wrong-token-wrong-token' });
    expect(envWins.code).not.toBe(0);
    expect(`${envWins.stdout}${envWins.stderr}`).toContain('API token');
  });
});
