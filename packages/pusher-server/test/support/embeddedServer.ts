import type { TeardownHost } from '@meshpush/test-support';
import {
  createServer,
  defaultAppConfig,
  type AppConfig,
  type MeshpushServer,
  type ServerConfigInput,
  type ServerDeps,
} from '../../src/index.js';

/**
 * A real server in the test's process, as an embedder runs it: `config` is any part of a
 * `ServerConfig`, but it always binds 127.0.0.1 on a port the kernel picks (read back from
 * `server.port`). Started before it is returned, stopped at teardown.
 */
export async function startServer(
  t: TeardownHost,
  config: ServerConfigInput = {},
  deps: ServerDeps = {},
): Promise<MeshpushServer> {
  const server = createServer({ ...config, host: '127.0.0.1', port: 0 }, deps);
  t.teardown(() => server.stop());
  await server.start();
  return server;
}

/** The default app (`app-id` / `app-key` / `app-secret`) with `overrides`, as the only app served. */
export function defaultAppWith(overrides: Partial<AppConfig>): AppConfig[] {
  return [{ ...defaultAppConfig(), ...overrides }];
}

/** `http://127.0.0.1:<port>`: the server's HTTP API, with no path prefix. */
export function httpBase(server: MeshpushServer): string {
  return `http://127.0.0.1:${server.port}`;
}
