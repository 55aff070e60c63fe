export * from './simulation.types.js';
export * from './backtest.simulator.js';
export * from './backtest.metrics.js';
export * from './equity.artifact.js';
export * from './portfolio.js';
export * from './significance.js';
export * from './robustness.js';
