import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The cycle record and the phase table are typed end to end: renaming a key of either fails the
 * build of every app that uses it. Shown by type-checking each app against the contract's built
 * declarations as they are, and again with one key renamed in them (in memory; nothing on disk
 * changes). Needs `npm run build` (the declarations under libs/api-contract/dist), as npm test does.
 */

const ROOT = resolve(__dirname, '..', '..', '..');
const DECLARATIONS = join(ROOT, 'libs/api-contract/dist/cycle.schema.d.ts');
const APPS = ['apps/api', 'apps/research-worker', 'apps/cli', 'apps/web'] as const;
type App = (typeof APPS)[number];

type Edit = (text: string) => string;

/** Type errors of one app's sources, with the contract's cycle declarations passed through `edit`. */
function typeErrors(app: App, edit: Edit | null, previous?: ts.Program): { errors: string[]; program: ts.Program } {
  const configPath = join(ROOT, app, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')) },
  );
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    incremental: false,
    composite: false,
    tsBuildInfoFile: undefined,
    declaration: false,
    declarationMap: false,
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (file) => {
    const text = read(file);
    return edit && text !== undefined && resolve(file) === DECLARATIONS ? edit(text) : text;
  };
  const program = ts.createProgram({ rootNames: parsed.fileNames, options, host, oldProgram: previous });
  const errors = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => `${d.file ? `${d.file.fileName.slice(ROOT.length + 1)}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  return { errors, program };
}

/** Renames a property in the declarations, failing loudly if the declarations no longer have it. */
function renamed(from: string, to: string): Edit {
  return (text) => {
    const pattern = new RegExp(`\\b${from}(\\??):`, 'g');
    if (!pattern.test(text)) throw new Error(`${from} is not in ${DECLARATIONS}: update this spec`);
    return text.replace(pattern, `${to}$1:`);
  };
}

const baselines = new Map<App, ts.Program>();

describe('renaming a key of the cycle record or the phase table', () => {
  it.each(APPS)('%s builds against the contract as it is', (app) => {
    const { errors, program } = typeErrors(app, null);
    baselines.set(app, program);
    expect(errors).toEqual([]);
  });

  it.each(APPS)('%s fails to build when a key of the cycle record is renamed (strategy_name)', (app) => {
    const { errors } = typeErrors(app, renamed('strategy_name', 'strategy_title'), baselines.get(app));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toContain('strategy_name');
    // The failure is in the app's own code, not only inside the contract.
    expect(errors.some((e) => e.startsWith(`${app}/`))).toBe(true);
  });

  // The apps that read a phase's child key themselves (the API reads child ids through agent-domain's resumeSourceOf).
  it.each(['apps/research-worker', 'apps/web'] as const)('%s fails to build when a field of the phase table is renamed (childKey)', (app) => {
    const { errors } = typeErrors(app, renamed('childKey', 'childField'), baselines.get(app));
    expect(errors.some((e) => e.startsWith(`${app}/`) && e.includes('childKey'))).toBe(true);
  });

  it('looks for the declarations the apps resolve the contract to', () => {
    expect(dirname(DECLARATIONS)).toBe(join(ROOT, 'libs/api-contract/dist'));
    expect(ts.sys.fileExists(DECLARATIONS)).toBe(true);
  });
});
