/** Structured fields attached to a log line (peer ids, addresses, reasons). */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Where the mesh reports what it does. Inject your own (pino, console, a test spy);
 * the default drops everything so that a library never writes to stdout on its own.
 */
export interface Logger {
  /** Detail for tracing one route or frame. */
  debug(message: string, fields?: LogFields): void;
  /** A normal event worth a line: started, peer up, peer down. */
  info(message: string, fields?: LogFields): void;
  /** Something went wrong and was handled (a refused handshake, a slow consumer). */
  warn(message: string, fields?: LogFields): void;
  /** A failure an operator must look at (a listener that threw). */
  error(message: string, fields?: LogFields): void;
}

function ignore(): void {}

/** A logger that drops every line: the default. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
