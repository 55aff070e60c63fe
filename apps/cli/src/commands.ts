/**
 * Explicit command registry (package.json "oclif.commands": strategy "explicit", identifier COMMANDS).
 * Keys use ":" as oclif ids; users type them with spaces (`ktrdr agent trigger`, topicSeparator " ").
 */
import AgentBudget from './commands/agent-budget.command.js';
import AgentCancel from './commands/agent-cancel.command.js';
import AgentResume from './commands/agent-resume.command.js';
import AgentStatus from './commands/agent-status.command.js';
import AgentTrigger from './commands/agent-trigger.command.js';
import CampaignCancel from './commands/campaign-cancel.command.js';
import CampaignLeaderboard from './commands/campaign-leaderboard.command.js';
import CampaignList from './commands/campaign-list.command.js';
import CampaignReport from './commands/campaign-report.command.js';
import CampaignResume from './commands/campaign-resume.command.js';
import CampaignStart from './commands/campaign-start.command.js';
import CampaignStatus from './commands/campaign-status.command.js';
import CampaignTrials from './commands/campaign-trials.command.js';
import DataImport from './commands/data-import.command.js';
import DataList from './commands/data-list.command.js';
import Health from './commands/health.command.js';
import OperationsArtifacts from './commands/operations-artifacts.command.js';
import OperationsCancel from './commands/operations-cancel.command.js';
import OperationsChildren from './commands/operations-children.command.js';
import OperationsFollow from './commands/operations-follow.command.js';
import OperationsList from './commands/operations-list.command.js';
import OperationsStatus from './commands/operations-status.command.js';
import StrategiesExport from './commands/strategies-export.command.js';
import StrategiesImport from './commands/strategies-import.command.js';
import StrategiesList from './commands/strategies-list.command.js';
import StrategiesShow from './commands/strategies-show.command.js';

export const COMMANDS = {
  'agent:trigger': AgentTrigger,
  'agent:status': AgentStatus,
  'agent:cancel': AgentCancel,
  'agent:budget': AgentBudget,
  'agent:resume': AgentResume,
  'campaign:start': CampaignStart,
  'campaign:status': CampaignStatus,
  'campaign:list': CampaignList,
  'campaign:cancel': CampaignCancel,
  'campaign:resume': CampaignResume,
  'campaign:trials': CampaignTrials,
  'campaign:leaderboard': CampaignLeaderboard,
  'campaign:report': CampaignReport,
  'operations:list': OperationsList,
  'operations:status': OperationsStatus,
  'operations:cancel': OperationsCancel,
  'operations:follow': OperationsFollow,
  'operations:children': OperationsChildren,
  'operations:artifacts': OperationsArtifacts,
  'data:list': DataList,
  'data:import': DataImport,
  'strategies:list': StrategiesList,
  'strategies:show': StrategiesShow,
  'strategies:import': StrategiesImport,
  'strategies:export': StrategiesExport,
  health: Health,
};
