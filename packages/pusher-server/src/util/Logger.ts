/** Structured fields attached to one log line. */
export type LogFields = Record<string, unknown>;

/** The logger every part of the server writes to; inject your own to route lines elsewhere. */
export interface Logger {
  /** Detail for tracing one connection or message (written only with `debug` on). */
  debug(message: string, fields?: LogFields): void;
  /** A normal event worth a line: start, listening, peer up, stop. */
  info(message: string, fields?: LogFields): void;
  /** Something went wrong and was handled (a refused peer, a dropped webhook). */
  warn(message: string, fields?: LogFields): void;
  /** A failure an operator must look at. */
  error(message: string, fields?: LogFields): void;
}

/** Severity of a log line, from the most verbose. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Options of {@link createConsoleLogger}. */
export interface ConsoleLoggerOptions {
  /** Lowest level written. @default 'info' */
  level?: LogLevel;
  /** One JSON object per line instead of human-readable text. @default false */
  json?: boolean;
  /** Written in front of every human-readable line, e.g. a node name. @default '' */
  prefix?: string;
  /** Where lines go. @default process.stderr */
  write?: (line: string) => void;
}

/** A logger that writes one line per event: human-readable by default, JSON on request. */
export function createConsoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const threshold = LEVEL_ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const prefix = options.prefix ? `${options.prefix} ` : '';
  const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (LEVEL_ORDER[level] < threshold) return;
    if (options.json) {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields }));
      return;
    }
    const extra = fields && Object.keys(fields).length > 0 ? ' ' + formatFields(fields) : '';
    write(`${prefix}${level.toUpperCase().padEnd(5)} ${message}${extra}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

function formatFields(fields: LogFields): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}

/** A logger that drops everything (the default for embedded servers and tests). */
export const silentLogger: Logger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});
