import { ConfigError, closestName } from './errors.js';
import { SOKETI_PREFIX, type OptionIndex, type OptionSpec } from './options.js';
import { isPlainObject } from './parsers.js';

/** One value given for one option, as the operator spelled it. */
export interface Assignment {
  readonly option: OptionSpec;
  /** `PORT`, `SOKETI_PORT`, `--port` or `"port" in ./config.json`: used in every message. */
  readonly label: string;
  readonly raw: unknown;
}

/** The values of one source; sources are applied in order, later ones win. */
export interface Layer {
  readonly source: 'config file' | 'environment' | 'flags';
  readonly assignments: readonly Assignment[];
}

/**
 * Environment variables under their seed name (`PORT`) or soketi's (`SOKETI_PORT`). Unknown
 * `SOKETI_*` names are errors (typos); other unknown names belong to someone else. Empty values
 * count as unset, as in soketi.
 */
export function envLayer(env: Readonly<Record<string, string | undefined>>, index: OptionIndex): Layer {
  const assignments: Assignment[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || raw === '') continue;
    const prefixed = name.startsWith(SOKETI_PREFIX);
    const option = index.byEnv.get(prefixed ? name.slice(SOKETI_PREFIX.length) : name);
    if (option) assignments.push({ option, label: name, raw });
    else if (prefixed) throw unknownEnv(name, index);
  }
  return { source: 'environment', assignments };
}

function unknownEnv(name: string, index: OptionIndex): ConfigError {
  const known = [...index.byEnv.keys()].map((env) => SOKETI_PREFIX + env);
  const hint = closestName(name, known);
  return new ConfigError(`unknown environment variable ${name}${hint ? ` (did you mean ${hint}?)` : ''}`);
}

/**
 * A JSON config file. Keys are soketi's dotted keys (`"cluster.port": 11002`); nested objects
 * (`"cluster": {"port": 11002}`) are read the same way. An unknown key is an error.
 */
export function fileLayer(content: unknown, path: string, index: OptionIndex): Layer {
  if (!isPlainObject(content)) throw new ConfigError(`config file ${path} must hold a JSON object`);
  const assignments: Assignment[] = [];
  collectKeys(content, '', { path, index, assignments });
  return { source: 'config file', assignments };
}

interface FileWalk {
  readonly path: string;
  readonly index: OptionIndex;
  readonly assignments: Assignment[];
}

function collectKeys(object: Record<string, unknown>, prefix: string, walk: FileWalk): void {
  for (const [name, raw] of Object.entries(object)) {
    const key = prefix + name;
    const option = walk.index.byKey.get(key);
    if (option) walk.assignments.push({ option, label: `"${key}" in ${walk.path}`, raw });
    else if (isPlainObject(raw) && walk.index.keyPrefixes.has(key)) collectKeys(raw, `${key}.`, walk);
    else throw unknownKey(key, walk);
  }
}

function unknownKey(key: string, walk: FileWalk): ConfigError {
  const hint = closestName(key, walk.index.byKey.keys());
  return new ConfigError(`unknown key "${key}" in ${walk.path}${hint ? ` (did you mean "${hint}"?)` : ''}`);
}

/** A flag given on the command line: its long name (`--port`) and value (`true` for switches). */
export interface FlagValue {
  readonly flag: string;
  readonly value: unknown;
}

export function flagLayer(flags: readonly FlagValue[], index: OptionIndex): Layer {
  const assignments = flags.map(({ flag, value }): Assignment => {
    const option = index.byFlag.get(flag);
    if (!option) throw new ConfigError(`unknown flag ${flag}`);
    return { option, label: flag, raw: value };
  });
  return { source: 'flags', assignments };
}
