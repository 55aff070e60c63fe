import { ACTIVE_STATUSES, OperationStatus, TERMINAL_STATUSES } from '@ktrdr/api-contract';
import { CANCEL_TREE_SCRIPT, CREATE_SCRIPT, MUTATE_SCRIPT } from './operations.lua';

/**
 * The Lua scripts spell the status words themselves (they run inside Redis and cannot import the
 * contract). These checks fail as soon as the two copies disagree.
 */
describe('Lua scripts and the contract vocabulary', () => {
  const scripts = { CREATE_SCRIPT, MUTATE_SCRIPT, CANCEL_TREE_SCRIPT };

  it.each(Object.entries(scripts))('%s treats exactly the contract terminal statuses as terminal', (_name, script) => {
    const m = /local function is_terminal\(s\) return (.+?) end/.exec(script);
    expect(m).not.toBeNull();
    const words = [...m![1]!.matchAll(/s == '([a-z_]+)'/g)].map((x) => x[1]);
    expect([...words].sort()).toEqual([...TERMINAL_STATUSES].sort());
  });

  it('starts, runs and cancels with the contract words', () => {
    // New records start in the first active status; the cancel script moves to the contract's cancelled.
    expect(CREATE_SCRIPT).toContain(`'status', '${ACTIVE_STATUSES[0]}'`);
    expect(CANCEL_TREE_SCRIPT).toContain(`'${OperationStatus.Cancelled}'`);
    expect(MUTATE_SCRIPT).toContain(`new == '${OperationStatus.Running}'`);
  });
});
