import type { Adapter } from './adapter/Adapter.js';
import type { AppManager } from './app-manager/AppManager.js';
import type { ServerConfig } from './config/ServerConfig.js';
import type { Logger } from './util/Logger.js';

/** Drivers and hooks a host application may supply; each has a local default. */
export interface ServerDeps {
  /** @default silentLogger */
  logger?: Logger;
  /** @default a LocalAdapter (one process) */
  adapter?: Adapter;
  /** @default an ArrayAppManager over `config.apps` */
  appManager?: AppManager;
  /** Wall clock, injectable for tests. @default Date.now */
  nowMs?: () => number;
}

/** A running (or ready to run) meshpush server. */
export interface MeshpushServer {
  readonly config: ServerConfig;
  /** Binds the WebSocket/HTTP port and starts the adapter. Rejects when the port is taken. */
  start(): Promise<void>;
  /**
   * Drains gracefully: `/ready` turns 503, new connections are refused, open sockets are closed
   * with 4200 (clients reconnect elsewhere at once), the adapter leaves the cluster.
   */
  stop(): Promise<void>;
  /** The bound WebSocket/HTTP port (useful with `port: 0`); 0 before `start()`. */
  readonly port: number;
  /** Open WebSocket connections on this process. */
  connectionCount(): number;
}
