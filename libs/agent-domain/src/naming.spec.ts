import { isValidStrategyName, resolveModel, sanitizeStrategyName } from './naming';
import { parentProgressDuringChild } from './progress';

describe('names', () => {
  it('resolves model aliases and accepts full ids', () => {
    expect(resolveModel('opus')).toBe('claude-opus-5-5');
    expect(resolveModel('claude-3-5-haiku-20241022')).toBe('claude-3-5-haiku-20241022');
    expect(resolveModel('gpt-4')).toBeNull();
    expect(resolveModel('claude-')).toBeNull();
  });

  it.each(['../etc/passwd', 'a/b', 'a b', '', 'x'.repeat(65), 'name.yaml'])('refuses strategy name %j', (n) => {
    expect(isValidStrategyName(n)).toBe(false);
  });

  it('sanitises designer names into the safe alphabet', () => {
    expect(sanitizeStrategyName('../../RSI mean-reversion v2!')).toBe('RSI_mean-reversion_v2');
    expect(sanitizeStrategyName('///')).toBe('strategy');
  });
});

describe('parent progress while a child runs', () => {
  it('scales inside the phase band and shows the child step', () => {
    expect(parentProgressDuringChild('training', { percentage: 50, current_step: 'Epoch 5/10', steps_completed: 5, steps_total: 10 })).toMatchObject({
      percentage: 42.5,
      current_step: 'Training model... (Epoch 5/10)',
    });
    expect(parentProgressDuringChild('assessing', { percentage: 100, current_step: null, steps_completed: 0, steps_total: 0 })).toMatchObject({
      percentage: 100,
      current_step: 'Assessing results...',
    });
  });
});

describe('configured model aliases', () => {
  it('resolves an alias through the given table and leaves full ids alone', () => {
    const aliases = { opus: 'claude-opus-9', sonnet: 'claude-sonnet-9', haiku: 'claude-haiku-9' };
    expect(resolveModel('sonnet', aliases)).toBe('claude-sonnet-9');
    expect(resolveModel('claude-3-5-haiku-20241022', aliases)).toBe('claude-3-5-haiku-20241022');
    expect(resolveModel('gpt-4', aliases)).toBeNull();
  });
});
