import type { BudgetInfo } from '@ktrdr/api-contract';
import { budgetLines } from '../lib/budget.format.js';
import { KtrdrCommand } from '../lib/ktrdr.command.js';

export default class AgentBudget extends KtrdrCommand {
  static override summary = "Show today's LLM spend (UTC day) against the daily budget";
  static override description =
    'Claude calls of the design and assessment phases cost money; KTRDR_DAILY_BUDGET_USD caps them per UTC day. ' +
    'When it is spent, new research cycles are refused (429 budget_exhausted) until midnight UTC.';
  static override examples = ['<%= config.bin %> agent budget', '<%= config.bin %> agent budget --json'];

  async run(): Promise<BudgetInfo> {
    await this.parse(AgentBudget);
    const budget = await this.api.agentBudget();
    this.say(budgetLines(budget));
    return budget;
  }
}
