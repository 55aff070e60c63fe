export * from './phase.types.js';
export * from './progress.js';
export * from './gates.js';
export * from './cycle.machine.js';
export * from './phase.executor.js';
export * from './abortable.js';
export * from './cooperative.loop.js';
export * from './stub.executors.js';
export * from './naming.js';
export * from './indicator.catalogue.js';
export * from './strategy.schema.js';
// What each phase returns is part of the wire contract (a child's result_summary): defined there.
export {
  CLASS_LABELS,
  PHASE_RESULT_SCHEMAS,
  VERDICTS,
  assessmentResultSchema,
  assessmentSchema,
  backtestResultSchema,
  designResultSchema,
  symbolBacktestResultSchema,
  trainingResultSchema,
  type Assessment,
  type AssessmentResult,
  type BacktestResult,
  type ClassLabel,
  type DesignResult,
  type PhaseResults,
  type SymbolBacktestResult,
  type TrainingResult,
  type Verdict,
} from '@ktrdr/api-contract';
export * from './seeded.random.js';
export * from './strategy.identity.js';
export * from './campaign.rules.js';
export * from './campaign.holdout.js';
