/**
 * One wording for a bad setting, whichever process reads it (API, worker, launcher, CLI): an
 * operator sees the same lines from each and fixes every variable in one go.
 *
 *   api: Invalid configuration:
 *     - KTRDR_API_PORT: expected a number (got "abc")
 */
export interface ConfigProblem {
  /** The environment variable (or argument) at fault. */
  variable: string;
  message: string;
  /** What was given, when it is worth showing (never for secrets: see configProblemLine). */
  value?: string;
}

/** Variables whose values are never echoed back (ANTHROPIC_API_KEY, KTRDR_API_TOKEN, …; not KTRDR_KEY_PREFIX). */
const SECRET = /(TOKEN|_KEY|SECRET|PASSWORD)$/i;

/** `user:pass@` inside a URL-looking value, hidden before the value is shown. */
function redact(value: string): string {
  return value.replace(/\/\/[^/@\s]*@/, '//***@');
}

export function configProblemLine(p: ConfigProblem): string {
  const shown = p.value !== undefined && !SECRET.test(p.variable) ? ` (got "${redact(p.value)}")` : '';
  return `${p.variable}: ${p.message}${shown}`;
}

/** The body of the report: a heading and one `  - ` line per problem. */
export function configProblemsText(problems: readonly ConfigProblem[]): string {
  return `Invalid configuration:\n${problems.map((p) => `  - ${configProblemLine(p)}`).join('\n')}`;
}

/** The whole report as a process prints it on stderr: `<process>: Invalid configuration:` then the list. */
export function configReport(processName: string, problems: readonly ConfigProblem[]): string {
  return `${processName}: ${configProblemsText(problems)}`;
}
