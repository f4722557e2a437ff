import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';

/**
 * Calls the native uWebSockets.js v20.30 binary has but its bundled type definitions omit
 * (checked at runtime against the binary this project pins).
 */
interface TemplatedAppRuntime {
  /** Binds host and port with uSockets options (1 = exclusive, no SO_REUSEPORT). */
  listen(host: string, port: number, options: number, cb: (socket: us_listen_socket | false) => void): TemplatedApp;
  /** Closes the listen sockets and every open connection of the app. */
  close(): void;
}

export function listenWithOptions(
  app: TemplatedApp,
  host: string,
  port: number,
  options: number,
  cb: (socket: us_listen_socket | false) => void,
): void {
  (app as unknown as TemplatedAppRuntime).listen(host, port, options, cb);
}

export function closeApp(app: TemplatedApp): void {
  (app as unknown as TemplatedAppRuntime).close();
}
