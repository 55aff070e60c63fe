/**
 * Base class of every ktrdr command.
 *
 * - `--json` on every command (`enableJsonFlag`): `run()` returns a typed result that oclif prints
 *   as JSON; human text goes to stdout through `say()`, which is silent under --json.
 * - One error path: anything thrown from `run()` lands in `catch()`, which asks error.mapping.ts for
 *   the line and exit code, prints exactly one line on stderr (or a JSON error object on stdout
 *   with --json) and exits. No stack traces unless KTRDR_DEBUG=1.
 * - `follow()`: the shared watch loop of `agent trigger --follow` and `operations follow`, with its
 *   Ctrl+C behaviour (detach, or cancel with --cancel-on-interrupt).
 */
import { Command, Errors, Flags } from '@oclif/core';
import { ApiClient } from './api.client.js';
import type { CancelCycleResult, CancelOperationResult, OperationInfo } from '@ktrdr/api-contract';
import type { CampaignCancelled } from './api.client.js';
import { campaignFollowHooks, type FollowHooks } from './campaign.follow.js';
import { describeError, ExitCode } from './error.mapping.js';
import { followIntervalFromEnv, followOperation } from './follow.runner.js';
import { cycleCancelLines, detachLines, followSummaryLines, operationCancelledLines } from './output.format.js';
import { configuredEpochs, trainingEpochs, trainingResultOf } from './cycle.facts.js';
import { chooseRenderMode, createRenderer, followHeader, FollowNotes, type ProgressRenderer } from './progress.renderer.js';

export type FollowOutcomeName = 'completed' | 'failed' | 'cancelled' | 'detached' | 'cancelled_on_interrupt';

export interface FollowResult {
  operation_id: string;
  outcome: FollowOutcomeName;
  /** The last state seen (null if interrupted before the first answer). */
  operation: OperationInfo | null;
  /** The cancel route's answer when --cancel-on-interrupt fired. */
  cancel?: CancelCycleResult | CancelOperationResult | CampaignCancelled;
}

export interface FollowOptions {
  cancelOnInterrupt: boolean;
  /** How the operation is told (default: a campaign's own hooks for a campaign, the cycle notes otherwise). */
  hooks?: FollowHooks;
}

export const cancelOnInterruptFlag = Flags.boolean({
  description: 'On Ctrl+C while following, cancel the operation instead of detaching from it',
  default: false,
});

export abstract class KtrdrCommand extends Command {
  static override enableJsonFlag = true;

  protected api!: ApiClient;
  private renderer: ProgressRenderer | null = null;
  private interrupt: { controller: AbortController; dispose: () => void } | null = null;

  override async init(): Promise<void> {
    await super.init();
    this.api = new ApiClient();
  }

  /** Human output on stdout; nothing under --json (the returned result is printed instead). */
  protected say(lines: string | readonly string[]): void {
    for (const line of typeof lines === 'string' ? [lines] : lines) this.log(line);
  }

  /** Sets the process exit code while still letting oclif print the --json result. */
  protected setExitCode(code: number): void {
    process.exitCode = code;
  }

  override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    this.teardown();
    // Our own this.exit(n) and oclif's parse/usage errors (already one clear message) pass through.
    if (err instanceof Errors.ExitError) throw err;
    if (err instanceof Errors.CLIError) return super.catch(err);

    const report = describeError(err);
    if (this.jsonEnabled()) {
      this.logJson({ error: report.json });
    } else {
      process.stderr.write(`${report.line}\n`);
      if (process.env['KTRDR_DEBUG'] === '1' && err.stack) process.stderr.write(`${err.stack}\n`);
    }
    return this.exit(report.exitCode);
  }

  override async finally(err: Error | undefined): Promise<unknown> {
    this.teardown();
    return super.finally(err);
  }

  /**
   * Starts catching Ctrl+C: the first one aborts the returned signal, a second one exits at once
   * (130). Call it before the request whose result will be followed, so an early Ctrl+C is not lost.
   */
  protected catchInterrupts(): AbortSignal {
    if (this.interrupt) return this.interrupt.controller.signal;
    const controller = new AbortController();
    const onSigint = (): void => {
      if (controller.signal.aborted) {
        this.teardown();
        process.exit(ExitCode.Interrupted);
      }
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    this.interrupt = { controller, dispose: () => process.removeListener('SIGINT', onSigint) };
    return controller.signal;
  }

  /**
   * Follows an operation to a terminal status with a progress display on stderr, then prints the
   * summary. Exit code: 0 completed or detached, 1 failed or cancelled, 130 cancelled on Ctrl+C.
   */
  protected async follow(operationId: string, options: FollowOptions): Promise<FollowResult> {
    const signal = this.catchInterrupts();
    const hooks = options.hooks ?? (typeFromId(operationId) === 'agent_campaign' ? campaignFollowHooks(this.api) : null);
    const mode = chooseRenderMode(process.stderr, this.jsonEnabled());
    this.renderer = createRenderer(mode);
    this.renderer.begin(followHeader(operationId, options.cancelOnInterrupt));
    const notes = new FollowNotes();
    const note = (line: string): void => this.renderer?.note(line);
    const outcome = await followOperation(this.api, operationId, {
      signal,
      intervalMs: followIntervalFromEnv(),
      onUpdate: (snapshot) => {
        // Nothing is drawn in silent mode, so nothing is read for it either.
        if (hooks) {
          if (mode !== 'silent') hooks.onUpdate(snapshot, note);
        } else for (const line of notes.next(snapshot)) note(line);
        this.renderer?.update(snapshot);
      },
    });
    if (outcome.kind === 'terminal') await hooks?.settle();
    this.renderer.stop();
    this.renderer = null;

    if (outcome.kind === 'terminal') {
      this.interrupt?.dispose();
      const op = outcome.operation;
      if (hooks) {
        if (!this.jsonEnabled()) this.say(await hooks.summary(op).catch(() => followSummaryLines(op)));
      } else {
        const plannedEpochs = this.jsonEnabled() ? null : (notes.planned ?? (await this.plannedEpochsOf(op)));
        this.say(followSummaryLines(op, { plannedEpochs }));
      }
      if (op.status !== 'completed') this.setExitCode(ExitCode.Failure);
      return { operation_id: operationId, outcome: op.status as FollowOutcomeName, operation: op };
    }

    if (!options.cancelOnInterrupt) {
      this.say(hooks ? hooks.detach(operationId) : detachLines(operationId));
      return { operation_id: operationId, outcome: 'detached', operation: outcome.operation };
    }

    // Ctrl+C with --cancel-on-interrupt: a campaign or a cycle goes through its own route (a cycle's
    // names the child), anything else through the generic operations route. A second Ctrl+C exits immediately.
    const isCycle = (outcome.operation?.operation_type ?? typeFromId(operationId)) === 'agent_research';
    let cancel: CancelCycleResult | CancelOperationResult | CampaignCancelled;
    if (hooks) {
      const res = await hooks.cancel(operationId);
      this.say(res.lines);
      cancel = res.result;
    } else if (isCycle) {
      const res = await this.api.cancelCycle(operationId);
      this.say(cycleCancelLines(res));
      cancel = res;
    } else {
      const res = await this.api.cancelOperation(operationId);
      this.say(operationCancelledLines(res));
      cancel = res;
    }
    this.setExitCode(ExitCode.Interrupted);
    return { operation_id: operationId, outcome: 'cancelled_on_interrupt', operation: outcome.operation, cancel };
  }

  /**
   * The configured epochs of the strategy an operation trained (for `stopped at epoch 14/30`), from
   * the strategy file through the API: the training result counts the epochs it ran, not those it
   * was given. Null when there is no training result, or the strategy cannot be read (renamed,
   * deleted): the epochs are then shown without it.
   */
  protected async plannedEpochsOf(op: OperationInfo): Promise<number | null> {
    if (!trainingEpochs(trainingResultOf(op))) return null;
    try {
      let name = op.metadata?.parameters?.['strategy_name'];
      if (typeof name !== 'string' && op.parent_operation_id) {
        name = (await this.api.getOperation(op.parent_operation_id)).metadata?.parameters?.['strategy_name'];
      }
      return typeof name === 'string' ? configuredEpochs(await this.api.getStrategy(name)) : null;
    } catch {
      return null;
    }
  }

  private teardown(): void {
    this.renderer?.stop();
    this.renderer = null;
    this.interrupt?.dispose();
    this.interrupt = null;
  }
}

/** `op_agent_research_20261125_143022_ab12cd34` → `agent_research`. */
export function typeFromId(operationId: string): string | null {
  const m = /^op_(.+)_\d{8}_\d{6}_[0-9a-f]{8}$/.exec(operationId);
  return m?.[1] ?? null;
}
