import { ErrorCode } from '@ktrdr/errors';
import { PhaseTimeoutError, formatDuration, remainingMs } from './phase.timeout';
import { loadWorkerConfig, parsePhaseTimeouts } from './worker.config';

describe('phase deadlines', () => {
  it('words the deadline as users read it (worker timeout after 30 minutes)', () => {
    expect(new PhaseTimeoutError('training', 30 * 60_000).message).toBe('worker timeout after 30 minutes');
    expect(new PhaseTimeoutError('training', 60_000).message).toBe('worker timeout after 1 minute');
    expect(formatDuration(2 * 3_600_000)).toBe('2 hours');
    expect(formatDuration(90_000)).toBe('90 seconds');
    expect(formatDuration(1500)).toBe('1.5 seconds');
    expect(formatDuration(250)).toBe('250 ms');
    expect(new PhaseTimeoutError('backtesting', 1000).code).toBe(ErrorCode.PhaseTimeout);
  });

  it('count from the phase start', () => {
    const start = '2026-01-01T00:00:00.000Z';
    expect(remainingMs(start, 1000, Date.parse(start) + 300)).toBe(700);
    expect(remainingMs(start, 1000, Date.parse(start) + 5000)).toBe(0);
  });

  it('default to 30 minutes with overrides by queue or phase name', () => {
    const config = loadWorkerConfig({ KTRDR_PHASE_TIMEOUTS: '{"training": 3600000, "assessing": 120000}' });
    expect(config.phaseTimeouts).toEqual({ designing: 1_800_000, training: 3_600_000, backtesting: 1_800_000, assessing: 120_000 });
    expect(loadWorkerConfig({ KTRDR_PHASE_TIMEOUT_MS: '5000' }).phaseTimeouts.training).toBe(5000);
    expect(parsePhaseTimeouts(1000, { trainnig: 5, backtest: 'x' }).problems).toEqual([
      'unknown phase "trainnig"; use design, training, backtest, assessment',
      'backtest: expected milliseconds (an integer ≥ 100), got "x"',
    ]);
    expect(() => loadWorkerConfig({ KTRDR_PHASE_TIMEOUTS: '{"nope": 1000}' })).toThrow(/KTRDR_PHASE_TIMEOUTS/);
  });
});
