import { detectCommandName, ktrdrCommand } from './invocation';

describe('detectCommandName', () => {
  // A fake file system: which paths exist and what they resolve to.
  const links: Record<string, string> = {
    '/usr/local/bin/ktrdr': '/usr/local/lib/node_modules/@ktrdr/cli/bin/run.js',
    '/usr/local/lib/node_modules/@ktrdr/cli/bin/run.js': '/usr/local/lib/node_modules/@ktrdr/cli/bin/run.js',
    '/repo/node_modules/.bin/ktrdr': '/repo/apps/cli/bin/run.js',
    '/repo/apps/cli/bin/run.js': '/repo/apps/cli/bin/run.js',
  };
  const realpath = (p: string): string | null => links[p] ?? null;

  it('says ktrdr when the ktrdr on PATH is the running script (installed globally)', () => {
    expect(detectCommandName({ env: { PATH: '/usr/bin:/usr/local/bin' }, script: '/usr/local/bin/ktrdr', realpath })).toBe('ktrdr');
  });

  it('says npx ktrdr under npx / npm exec, even though npm put node_modules/.bin on PATH', () => {
    expect(
      detectCommandName({ env: { npm_command: 'exec', PATH: '/repo/node_modules/.bin:/usr/bin' }, script: '/repo/node_modules/.bin/ktrdr', realpath }),
    ).toBe('npx ktrdr');
  });

  it('says npx ktrdr when run from the repository and a different ktrdr (or none) is on PATH', () => {
    expect(detectCommandName({ env: { PATH: '/usr/local/bin' }, script: '/repo/apps/cli/bin/run.js', realpath })).toBe('npx ktrdr');
    expect(detectCommandName({ env: { PATH: '/usr/bin' }, script: '/repo/apps/cli/bin/run.js', realpath })).toBe('npx ktrdr');
    expect(detectCommandName({ env: {}, script: undefined, realpath })).toBe('npx ktrdr');
  });

  it("says npx ktrdr inside an npm script (npm test, npm start), where npm put the repository's node_modules/.bin on PATH", () => {
    const env = { npm_command: 'test', npm_lifecycle_event: 'test', PATH: '/repo/node_modules/.bin:/usr/bin' };
    expect(detectCommandName({ env, script: '/repo/apps/cli/bin/run.js', realpath })).toBe('npx ktrdr');
  });

  it('prefixes hints for this process (jest is not ktrdr on PATH, so: npx ktrdr)', () => {
    expect(ktrdrCommand('agent status')).toBe('npx ktrdr agent status');
  });
});
