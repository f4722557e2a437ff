import type { Parser } from './parsers.js';
import type { SettingPath } from './settings.js';

/**
 * An option meshpush reads. Each is reachable under up to three names: an environment variable
 * (also accepted with soketi's `SOKETI_` prefix), a soketi config-file key, and a CLI flag.
 */
export interface SettingOption {
  readonly kind: 'setting';
  /** Environment name without the `SOKETI_` prefix, e.g. `CLUSTER_PORT`. */
  readonly env?: string;
  /** soketi's config-file key, dotted, e.g. `cluster.port`. */
  readonly key?: string;
  /** Commander flag syntax, e.g. `--cluster-port <port>` or `--debug`. */
  readonly flag?: string;
  /** Where the parsed value goes; `null` when only the default value is supported (validated only). */
  readonly target: SettingPath | null;
  readonly parse: Parser<unknown>;
  /** One line for `--help`. */
  readonly doc: string;
  /** Never echo the value (error messages, summary). */
  readonly secret?: boolean;
}

/**
 * A soketi option meshpush does not implement. Setting it stops the start (`error`) or is reported
 * at start (`warn`, for settings of drivers that are not in use anyway) — never silently ignored.
 */
export interface UnsupportedOption {
  readonly kind: 'unsupported';
  readonly env?: string;
  readonly key?: string;
  /** Planned ("not supported yet") or intentionally left out ("not supported"). */
  readonly planned: boolean;
  readonly severity: 'error' | 'warn';
  /** Why, and what to do instead. */
  readonly reason: string;
  /** Raw values that mean "off" (soketi's default); they are accepted without a word. */
  readonly harmless?: readonly string[];
}

export type OptionSpec = SettingOption | UnsupportedOption;

/** A row of the option table. */
export function setting(option: Omit<SettingOption, 'kind'>): SettingOption {
  return { kind: 'setting', ...option };
}

export const SOKETI_PREFIX = 'SOKETI_';

/** Lookup tables over one option list, built once. */
export class OptionIndex {
  readonly all: readonly OptionSpec[];
  readonly byEnv = new Map<string, OptionSpec>();
  readonly byKey = new Map<string, OptionSpec>();
  /** Long flag name (`--port`) to its option. */
  readonly byFlag = new Map<string, SettingOption>();
  /** Every proper prefix of a key (`cluster`, `appManager.array`), for nested config objects. */
  readonly keyPrefixes = new Set<string>();

  constructor(options: readonly OptionSpec[]) {
    this.all = options;
    for (const option of options) this.add(option);
  }

  private add(option: OptionSpec): void {
    if (option.env !== undefined) addUnique(this.byEnv, option.env, option);
    if (option.kind === 'setting' && option.flag !== undefined) this.byFlag.set(flagName(option.flag), option);
    if (option.key === undefined) return;
    addUnique(this.byKey, option.key, option);
    const parts = option.key.split('.');
    for (let i = 1; i < parts.length; i++) this.keyPrefixes.add(parts.slice(0, i).join('.'));
  }
}

function addUnique(map: Map<string, OptionSpec>, name: string, option: OptionSpec): void {
  if (map.has(name)) throw new Error(`option table lists ${name} twice`);
  map.set(name, option);
}

/** `--port` from `--port <port>`. */
export function flagName(flag: string): string {
  return flag.split(' ')[0] ?? flag;
}

/** The name an operator would recognise an option by, for messages. */
export function optionName(option: OptionSpec): string {
  return option.env ?? option.key ?? option.kind;
}
