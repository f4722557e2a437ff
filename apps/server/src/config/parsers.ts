import { UnsupportedValueError, ValueError } from './errors.js';

/**
 * Turns one raw setting into a typed value or throws a `ValueError` that says what was expected.
 * The input is a string from the environment or a flag, or any JSON value from the config file.
 */
export type Parser<T> = (input: unknown) => T;

const TRUE_WORDS = new Set(['true', '1']);
const FALSE_WORDS = new Set(['false', '0']);

export const parseBoolean: Parser<boolean> = (input) => {
  if (typeof input === 'boolean') return input;
  const word = typeof input === 'number' || typeof input === 'string' ? String(input).trim().toLowerCase() : '';
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new ValueError('expected true, false, 1 or 0');
};

/** A whole number in `[min, max]`; strings must be plain decimal digits. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER, expected?: string): Parser<number> {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  const message = expected ?? `expected an integer ${range}`;
  return (input) => {
    const value = toNumber(input, /^-?\d+$/);
    if (value === undefined || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new ValueError(message);
    }
    return value;
  };
}

/** A number (fractions allowed) in `[min, max]`. */
export function decimal(min: number, max = Number.MAX_VALUE): Parser<number> {
  const range = max === Number.MAX_VALUE ? `≥ ${min}` : `from ${min} to ${max}`;
  return (input) => {
    const value = toNumber(input, /^-?\d+(\.\d+)?$/);
    if (value === undefined || value < min || value > max) throw new ValueError(`expected a number ${range}`);
    return value;
  };
}

function toNumber(input: unknown, pattern: RegExp): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) ? input : undefined;
  if (typeof input !== 'string' || !pattern.test(input.trim())) return undefined;
  return Number(input.trim());
}

export const parsePort = integer(0, 65535, 'expected a port number from 0 to 65535');
/** Milliseconds or other counts that may be zero. */
export const parseCount = integer(0);
/** Durations and sizes that must be at least 1. */
export const parsePositive = integer(1);
/** soketi's per-app quotas: a count, or -1 for "unlimited". */
export const parseQuota = integer(-1, Number.MAX_SAFE_INTEGER, 'expected an integer ≥ 0, or -1 for unlimited');

export function text(options: { allowEmpty?: boolean } = {}): Parser<string> {
  return (input) => {
    if (typeof input !== 'string') throw new ValueError('expected a string');
    if (!options.allowEmpty && input.trim() === '') throw new ValueError('expected a non-empty string');
    return input;
  };
}

/** App ids: soketi turns numeric ids into strings, so `123` and `"123"` are the same app. */
export const parseAppId: Parser<string> = (input) => {
  if (typeof input === 'number' && Number.isSafeInteger(input)) return String(input);
  return text()(input);
};

/** `''` or a path such as `/pusher`: starts with `/`, does not end with one. */
export const parsePathPrefix: Parser<string> = (input) => {
  const prefix = text({ allowEmpty: true })(input);
  if (prefix === '') return prefix;
  if (!/^\/[^\s?#]*[^/\s?#]$/.test(prefix)) {
    throw new ValueError("expected '' or a path like /pusher (starting with /, not ending with /)");
  }
  return prefix;
};

/** A Prometheus metric name prefix: letters, digits, `_` and `:`, not starting with a digit. */
export const parseMetricPrefix: Parser<string> = (input) => {
  const prefix = text({ allowEmpty: true })(input);
  if (!/^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/.test(prefix)) {
    throw new ValueError('expected a Prometheus name prefix such as meshpush_ ([a-zA-Z_:][a-zA-Z0-9_:]*)');
  }
  return prefix;
};

/** Values of a driver-like setting that exist elsewhere (soketi) but not here. */
export interface Unavailable {
  /** Planned in meshpush: the message says "not supported yet". */
  planned?: Readonly<Record<string, string>>;
  /** Intentionally left out: the message says "not supported". */
  excluded?: Readonly<Record<string, string>>;
}

/**
 * One of a fixed set of names (a driver, a mode). Names that meshpush knows but does not
 * provide get their own message, so a soketi value is never mistaken for a typo.
 */
export function oneOf<T extends string>(
  supported: readonly T[],
  unavailable: Unavailable = {},
  what = 'value',
): Parser<T> {
  const expected = supported.join(', ');
  return (input) => {
    const name = text()(input).trim();
    if ((supported as readonly string[]).includes(name)) return name as T;
    const planned = unavailable.planned?.[name];
    if (planned !== undefined) throw new UnsupportedValueError(planned, true);
    const excluded = unavailable.excluded?.[name];
    if (excluded !== undefined) throw new UnsupportedValueError(excluded, false);
    throw new ValueError(`unknown ${what} (expected ${supported.length > 1 ? 'one of: ' : ''}${expected})`);
  };
}

/** A JSON array, given as an array (config file) or as a JSON string (environment). */
export function jsonList<T>(item: (input: unknown, index: number) => T): Parser<T[]> {
  return (input) => {
    const list = typeof input === 'string' ? parseJson(input) : input;
    if (!Array.isArray(list)) throw new ValueError('expected a JSON array');
    return list.map((entry, index) => item(entry, index));
  };
}

function parseJson(input: string): unknown {
  try {
    return JSON.parse(input);
  } catch (error) {
    throw new ValueError(`expected JSON (${(error as Error).message})`);
  }
}

/**
 * `host:port` entries: a comma-separated string, a JSON array string, or an array. An entry
 * without a port is kept as a bare host (the caller adds the cluster port). IPv6 hosts are
 * written in brackets: `[::1]:11002`.
 */
export const parseHostPortList: Parser<string[]> = (input) => {
  const entries =
    typeof input === 'string' && !input.trim().startsWith('[') ? input.split(',') : jsonList(text())(input);
  return entries
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map(checkHostPort);
};

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/;

function checkHostPort(entry: string): string {
  const match = HOST_PORT.exec(entry);
  const port = match?.[2];
  if (!match || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
    throw new ValueError(`"${entry}" is not host:port (expected host:port,host:port,…)`);
  }
  return entry;
}

/** Whether a `host:port` list entry names its port. */
export function hasPort(entry: string): boolean {
  return HOST_PORT.exec(entry)?.[2] !== undefined;
}

/** A JSON object (config file) or a JSON object string. */
export function jsonObject(input: unknown): Record<string, unknown> {
  const value = typeof input === 'string' ? parseJson(input) : input;
  if (!isPlainObject(value)) throw new ValueError('expected a JSON object');
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
