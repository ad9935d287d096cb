/**
 * Configuration: load, validate and describe.
 *
 * @example
 *   import { loadConfigFile, ConfigError, formatIssue } from './config/index.js';
 *   try {
 *     const config = await loadConfigFile('switchboard.yaml');
 *   } catch (err) {
 *     if (err instanceof ConfigError) err.issues.forEach((i) => console.error(formatIssue(i)));
 *   }
 */
export { formatDuration, parseDuration } from './duration.js';
export { ConfigError, formatIssue, formatPath, type ConfigIssue } from './issues.js';
export { configJsonSchema, configJsonSchemaText } from './json-schema.js';
export { loadConfigFile, parseConfig } from './load.js';
export type { Outcome, StepConfig, TargetConfig } from './schema/actions.js';
export type {
  AgentDefinition,
  Config,
  IvrMenuDefinition,
  MatchDefinition,
  NumberingDefinition,
  QueueDefinition,
  RouteDefinition,
  ScheduleDefinition,
  TrunkDefinition,
  UserDefinition,
  VoicemailBoxDefinition,
} from './schema/config.js';
