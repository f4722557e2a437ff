import type { ServerConfig } from '@meshpush/pusher-server';
import { ConfigError, UnsupportedValueError, ValueError } from './errors.js';
import { finalize } from './finalize.js';
import { OptionIndex, optionName, type UnsupportedOption } from './options.js';
import { settingOptions } from './settingOptions.js';
import { envLayer, fileLayer, flagLayer, type Assignment, type FlagValue, type Layer } from './sources.js';
import {
  defaultSettings,
  setSetting,
  type AppManagerSettings,
  type Brokers,
  type ClusterTlsFiles,
  type RateLimiterDriver,
  type SettingPath,
  type Settings,
} from './settings.js';
import { unsupportedOptions } from './unsupportedOptions.js';

/** Every option the CLI knows: implemented ones and recognised soketi ones it refuses. */
export const optionIndex = new OptionIndex([...settingOptions, ...unsupportedOptions]);

/** The raw inputs of one start, already read from the process (this module does no I/O). */
export interface ConfigInput {
  env?: Readonly<Record<string, string | undefined>>;
  /** The parsed JSON of `--config <path>`. */
  file?: { path: string; content: unknown };
  flags?: readonly FlagValue[];
}

/** The typed configuration of one `meshpush start`. */
export interface ResolvedConfig {
  server: ServerConfig;
  rateLimiter: { driver: RateLimiterDriver };
  /** The brokers of the NATS and Redis transports. */
  brokers: Brokers;
  log: { json: boolean };
  /** Settings that were recognised but have no effect in this build; printed at start. */
  warnings: string[];
  /** For each setting given explicitly, the name that set it (`SOKETI_PORT`, `--port`, …). */
  origins: ReadonlyMap<SettingPath, string>;
  configFile: string | undefined;
  /** Mesh TLS files (`CLUSTER_TLS_*`), read at start and again on SIGHUP. */
  clusterTls: ClusterTlsFiles;
  /** Where apps come from; `array` serves `server.apps`. */
  appManager: AppManagerSettings;
}

/**
 * Resolves defaults < config file < environment < flags into one typed config, or throws a
 * `ConfigError` whose message is one line naming the offending setting.
 */
export function resolveConfig(input: ConfigInput): ResolvedConfig {
  const layers: Layer[] = [];
  if (input.file) layers.push(fileLayer(input.file.content, input.file.path, optionIndex));
  layers.push(envLayer(input.env ?? {}, optionIndex));
  layers.push(flagLayer(input.flags ?? [], optionIndex));

  const state: ResolveState = { settings: defaultSettings(), origins: new Map(), warnings: [] };
  for (const layer of layers) applyLayer(layer, state);
  return { ...finalize(state.settings, state.origins), warnings: state.warnings, configFile: input.file?.path };
}

interface ResolveState {
  settings: Settings;
  origins: Map<SettingPath, string>;
  warnings: string[];
}

interface Parsed {
  readonly assignment: Assignment;
  readonly value: unknown;
}

function applyLayer(layer: Layer, state: ResolveState): void {
  const seen = new Map<string, Parsed>();
  for (const assignment of layer.assignments) {
    const { option } = assignment;
    if (option.kind === 'unsupported') {
      checkUnsupported(assignment, option, state.warnings);
      continue;
    }
    const parsed = { assignment, value: parseAssignment(assignment) };
    const slot = option.target ?? optionName(option);
    const earlier = seen.get(slot);
    if (earlier && !sameValue(earlier.value, parsed.value)) throw conflict(earlier.assignment, assignment);
    seen.set(slot, parsed);
    if (option.target === null) continue;
    setSetting(state.settings, option.target, parsed.value);
    state.origins.set(option.target, assignment.label);
  }
}

function parseAssignment(assignment: Assignment): unknown {
  if (assignment.option.kind !== 'setting') throw new Error('only settings are parsed');
  try {
    return assignment.option.parse(assignment.raw);
  } catch (error) {
    if (error instanceof UnsupportedValueError) {
      const yet = error.planned ? ' yet' : '';
      throw new ConfigError(`${assignment.label}: ${show(assignment)} is not supported${yet} (${error.message})`);
    }
    if (error instanceof ValueError) {
      const shown = show(assignment);
      const what = shown === HIDDEN ? assignment.label : `value ${shown} for ${assignment.label}`;
      throw new ConfigError(`invalid ${what}: ${error.message}`);
    }
    throw error;
  }
}

function checkUnsupported(assignment: Assignment, option: UnsupportedOption, warnings: string[]): void {
  if (option.harmless?.includes(String(assignment.raw))) return;
  if (option.severity === 'warn') {
    warnings.push(`${assignment.label} is ignored: ${option.reason}`);
    return;
  }
  throw new ConfigError(`${assignment.label} is not supported${option.planned ? ' yet' : ''}: ${option.reason}`);
}

function conflict(first: Assignment, second: Assignment): ConfigError {
  return new ConfigError(
    `${first.label}=${show(first)} and ${second.label}=${show(second)} disagree; set only one of them`,
  );
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const MAX_SHOWN = 60;
const HIDDEN = '(hidden)';

/** The raw value for a message: JSON-quoted and shortened; never a secret, an object or a list. */
function show(assignment: Assignment): string {
  const { option, raw } = assignment;
  if ((option.kind === 'setting' && option.secret) || (typeof raw === 'object' && raw !== null)) return HIDDEN;
  const text = JSON.stringify(raw) ?? String(raw);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}
