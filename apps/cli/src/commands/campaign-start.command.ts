import { CAMPAIGN_SEARCHES, TIMEFRAMES, type CampaignRequest, type CampaignStarted } from '@ktrdr/api-contract';
import { Errors, Flags } from '@oclif/core';
import { CampaignCommand } from '../lib/campaign.command.js';
import { campaignFollowHooks } from '../lib/campaign.follow.js';
import { campaignStartedLines } from '../lib/campaign.format.js';
import { cancelOnInterruptFlag, type FollowResult } from '../lib/ktrdr.command.js';

export type CampaignStartResult = CampaignStarted & { follow?: FollowResult };

/** A decimal flag (`--budget 2.5`); its range is the API's to check, which names the field. */
const decimal = Flags.custom<number>({
  parse: async (input) => {
    const n = Number(input);
    if (input.trim() === '' || !Number.isFinite(n)) throw new Errors.CLIError(`Expected a number but received: ${input}`);
    return n;
  },
});

export default class CampaignStart extends CampaignCommand {
  static override summary = 'Start a research campaign: research cycles, one trial each, until a stop rule fires';
  static override description =
    'The last part of the data (--holdout-fraction, default 0.2) is sealed first: no trial sees it. Cycles then run as trials ' +
    '(--concurrency at a time) until one stop rule fires: --max-cycles (default 20), --max-duration, --budget (LLM spend), ' +
    '--stop-after-unproductive trials in a row without a better DSR (default 5), or --target-dsr reached. Every trial is ' +
    'run in full and judged against the quality gates, and scored by its Deflated Sharpe Ratio among all of them; the best ' +
    '--finalists (default 3) of those that passed every gate are evaluated once on the holdout, and the verdict is found or ' +
    'nothing_found. With --follow, draws its progress and each trial until it ends; Ctrl+C then detaches.';
  static override examples = [
    '<%= config.bin %> campaign start',
    '<%= config.bin %> campaign start --brief "mean reversion on daily bars" --max-cycles 30 --max-duration 2h --follow',
    '<%= config.bin %> campaign start --symbols SYNTH_A,SYNTH_B --timeframe 1d --stop-after-unproductive 8 --target-dsr 0.95',
    '<%= config.bin %> campaign start --search random --seed 7 --json',
  ];

  static override flags = {
    brief: Flags.string({ description: 'Free text guiding every design' }),
    model: Flags.string({ description: 'LLM for design/assessment: opus, sonnet, haiku or a full model id' }),
    symbols: Flags.string({ description: 'Comma-separated symbols every trial researches (default SP500)' }),
    timeframe: Flags.string({ description: 'Bar timeframe of the symbols (default 1d)', options: [...TIMEFRAMES] }),
    'max-cycles': Flags.integer({ description: 'Trials at most (default 20)' }),
    'max-duration': Flags.string({ description: 'Wall-clock limit of the search: seconds, or 90m, 2h, 1d' }),
    budget: decimal({ description: 'LLM spend limit in USD (Claude only)' }),
    concurrency: Flags.integer({ description: 'Cycles at once (default 1; counted against KTRDR_MAX_CONCURRENT_CYCLES)' }),
    'stop-after-unproductive': Flags.integer({ description: 'Stop after this many trials in a row that did not raise the best DSR (default 5)' }),
    'target-dsr': decimal({ description: 'Stop once the best trial reaches this DSR (between 0 and 1)' }),
    'holdout-fraction': decimal({ description: 'Share of the last bars sealed until the end (0.05-0.5, default 0.2)' }),
    finalists: Flags.integer({ description: 'Top trials by DSR (of those that passed every gate) evaluated on the holdout (default 3)' }),
    seed: Flags.integer({ description: 'Seed of the offline search (default: drawn from the campaign id)' }),
    search: Flags.string({ description: 'Offline designer: directed (learns from the ledger) or random (the control)', options: [...CAMPAIGN_SEARCHES] }),
    follow: Flags.boolean({ char: 'f', description: 'Watch the campaign until it ends: its progress, each cycle and trial', default: false }),
    'cancel-on-interrupt': cancelOnInterruptFlag,
  };

  async run(): Promise<CampaignStartResult> {
    const { flags } = await this.parse(CampaignStart);
    const request: CampaignRequest = {};
    if (flags.brief !== undefined) request.brief = flags.brief;
    if (flags.model !== undefined) request.model = flags.model;
    if (flags.symbols !== undefined || flags.timeframe !== undefined) {
      const symbols = (flags.symbols ?? 'SP500')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      request.scope = { symbols, timeframe: (flags.timeframe ?? '1d') as (typeof TIMEFRAMES)[number] };
    }
    if (flags['max-cycles'] !== undefined) request.max_cycles = flags['max-cycles'];
    if (flags['max-duration'] !== undefined) {
      const d = flags['max-duration'].trim();
      request.max_duration = /^\d+$/.test(d) ? Number(d) : d;
    }
    if (flags.budget !== undefined) request.budget_usd = flags.budget;
    if (flags.concurrency !== undefined) request.concurrency = flags.concurrency;
    if (flags['stop-after-unproductive'] !== undefined) request.stop_after_unproductive = flags['stop-after-unproductive'];
    if (flags['target-dsr'] !== undefined) request.target_dsr = flags['target-dsr'];
    if (flags['holdout-fraction'] !== undefined) request.holdout_fraction = flags['holdout-fraction'];
    if (flags.finalists !== undefined) request.finalists = flags.finalists;
    if (flags.seed !== undefined) request.seed = flags.seed;
    if (flags.search !== undefined) request.search = flags.search as (typeof CAMPAIGN_SEARCHES)[number];

    // Catch Ctrl+C before the campaign exists, so an early one still detaches cleanly.
    if (flags.follow) this.catchInterrupts();
    const result = await this.api.startCampaign(request);
    this.say(campaignStartedLines(result, flags.follow));
    if (!flags.follow) return result;
    const follow = await this.follow(result.operation_id, {
      cancelOnInterrupt: flags['cancel-on-interrupt'],
      hooks: campaignFollowHooks(this.api, 0),
    });
    return { ...result, follow };
  }
}
