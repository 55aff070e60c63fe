import { typeFromId } from './ktrdr.command';

describe('typeFromId', () => {
  it('reads the type out of an operation id', () => {
    expect(typeFromId('op_agent_research_20261125_143022_ab12cd34')).toBe('agent_research');
    expect(typeFromId('op_training_20261125_143022_ab12cd34')).toBe('training');
    expect(typeFromId('something-else')).toBeNull();
  });
});
