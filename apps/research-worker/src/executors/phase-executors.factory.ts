import { stubExecutors, type ActivePhase, type CycleParameters, type PhaseExecutors, type StubOptions } from '@ktrdr/agent-domain';
import type { CampaignDesignContext, LlmServices, RecentStrategy } from '@ktrdr/llm';
import { AssessmentExecutor } from './assessment.executor.js';
import { BacktestExecutor } from './backtest.executor.js';
import { DesignExecutor } from './design.executor.js';
import { TrainingExecutor, type TrainingDeps } from './training.executor.js';

export interface ExecutorsSetup {
  /** Phases that sleep and return canned results (marked `stub: true`); every other phase is real. */
  stubPhases: readonly ActivePhase[];
  stub: StubOptions;
  /** Where strategies, data and models live, and how phases run their walk-forward folds. */
  research: TrainingDeps;
  llm: LlmServices;
  recent(): Promise<RecentStrategy[]>;
  /** A campaign trial's design context (campaignDesignContext). */
  campaign?(cycle: CycleParameters, cycleId: string): Promise<CampaignDesignContext | null>;
  designSeed: number | null;
}

/** The four phase executors of this process: real by default, stubs only where configured. */
export function phaseExecutors(setup: ExecutorsSetup): PhaseExecutors {
  const stubs = stubExecutors(setup.stub);
  const real: PhaseExecutors = {
    designing: new DesignExecutor({
      ...setup.research,
      designer: setup.llm.designer,
      recent: setup.recent,
      seed: setup.designSeed,
      ...(setup.campaign ? { campaign: setup.campaign } : {}),
    }),
    training: new TrainingExecutor(setup.research),
    backtesting: new BacktestExecutor(setup.research),
    assessing: new AssessmentExecutor({ ...setup.research, assessor: setup.llm.assessor }),
  };
  const pick = <P extends ActivePhase>(p: P): PhaseExecutors[P] => (setup.stubPhases.includes(p) ? stubs[p] : real[p]);
  return { designing: pick('designing'), training: pick('training'), backtesting: pick('backtesting'), assessing: pick('assessing') };
}
