import type { Logger, MeshpushServer } from '@meshpush/pusher-server';
import { oneLine } from './config/errors.js';

/** Extra time beyond the grace period for the adapter to leave and listeners to close. */
export const SHUTDOWN_MARGIN_MS = 2000;

/**
 * A signal this soon after the first is a copy of it, not a second request. One Ctrl+C reaches
 * every process of the terminal's foreground group, and a package manager that runs meshpush as a
 * script (`pnpm start`, npm, yarn) forwards the SIGINT it got to its child too, a few ms later.
 */
export const REPEAT_WINDOW_MS = 500;

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type ShutdownSignal = keyof typeof SIGNAL_EXIT_CODES;

export interface ShutdownOptions {
  server: MeshpushServer;
  logger: Logger;
  gracePeriodMs: number;
  /** @default process.exit */
  exit?: (code: number) => void;
}

/**
 * SIGTERM/SIGINT drain the server (`server.stop()`: clients are told to reconnect elsewhere,
 * the node leaves the mesh) and exit 0. The drain is bounded: past grace period + margin the
 * process exits 1. A second signal, `REPEAT_WINDOW_MS` or more after the first, exits at once.
 */
export function exitOnSignals(options: ShutdownOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let firstAt: number | undefined;
  const onSignal = (signal: ShutdownSignal): void => {
    if (firstAt === undefined) {
      firstAt = performance.now();
      drain(options, signal, exit);
    } else if (performance.now() - firstAt < REPEAT_WINDOW_MS) {
      options.logger.debug(`${signal} again within ${REPEAT_WINDOW_MS} ms: the same request, still draining`);
    } else {
      options.logger.warn(`${signal} again: exiting without finishing the drain`);
      exit(SIGNAL_EXIT_CODES[signal]);
    }
  };
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as ShutdownSignal[]) process.on(signal, onSignal);
}

function drain(options: ShutdownOptions, signal: ShutdownSignal, exit: (code: number) => void): void {
  const limitMs = options.gracePeriodMs + SHUTDOWN_MARGIN_MS;
  options.logger.info(`${signal} received: draining (at most ${limitMs} ms)`);
  const deadline = setTimeout(() => {
    options.logger.error(`drain did not finish within ${limitMs} ms; exiting`);
    exit(1);
  }, limitMs);
  options.server.stop().then(
    () => {
      clearTimeout(deadline);
      options.logger.info('drained; exiting');
      exit(0);
    },
    (error: unknown) => {
      clearTimeout(deadline);
      options.logger.error(`drain failed: ${oneLine(error)}`);
      exit(1);
    },
  );
}
