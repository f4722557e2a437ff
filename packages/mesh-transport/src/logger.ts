/** Structured fields attached to a log line (peer ids, addresses, reasons). */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Where the mesh reports what it does. Inject your own (pino, console, a test spy);
 * the default drops everything so that a library never writes to stdout on its own.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

function ignore(): void {}

/** A logger that drops every line: the default. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
