import { readFileSync } from 'node:fs';
import {
  ClusterStartError,
  createConsoleLogger,
  createServer,
  type Logger,
  type MeshpushServer,
  type ServerConfig,
} from '@meshpush/pusher-server';
import { ConfigError, oneLine } from './config/errors.js';
import { resolveConfig, type ResolvedConfig } from './config/resolve.js';
import type { FlagValue } from './config/sources.js';
import { describeConfig } from './config/summary.js';
import { defaultCredentialsWarning } from './defaultCredentials.js';
import { createAppManager, unusedAppSettingsWarning } from './app-managers/createAppManager.js';
import { createAdapter, createRateLimiter } from './drivers.js';
import { reloadCertificatesOnSighup } from './reload.js';
import { exitOnSignals } from './shutdown.js';
import { checkClientTls, clientTlsEnabled, loadMeshTls, meshTlsEnabled } from './tls.js';

export interface StartOptions {
  env: Readonly<Record<string, string | undefined>>;
  configPath: string | undefined;
  flags: readonly FlagValue[];
  version: string;
}

/** The line tests and supervisors wait for on stdout, once the port is bound (`metricsPort` when metrics are on). */
export function readyLine(port: number, pid: number, metricsPort = 0): string {
  return `meshpush ready ${JSON.stringify(metricsPort > 0 ? { port, pid, metricsPort } : { port, pid })}`;
}

/**
 * `meshpush start`: resolve the configuration, print it, build the drivers, start the server,
 * print the ready line and drain on SIGTERM/SIGINT. Throws on any start-up problem; the caller
 * prints it as one line and exits 1.
 */
export async function start(options: StartOptions): Promise<MeshpushServer> {
  const config = resolveConfig({
    env: options.env,
    file: options.configPath === undefined ? undefined : loadConfigFile(options.configPath),
    flags: options.flags,
  });
  const logger = createConsoleLogger({ level: config.server.debug ? 'debug' : 'info', json: config.log.json });
  printSummary(config, logger, options.version);

  const serverConfig = withTls(config);
  const build = await createAdapter(serverConfig, config.brokers, logger);
  const rateLimiter = createRateLimiter(config.rateLimiter.driver, build, logger);
  const appManager = await createAppManager(config.appManager, serverConfig, logger);
  const server = createServer(serverConfig, {
    logger,
    adapter: build.adapter,
    rateLimiter,
    ...(appManager && { appManager }),
  });
  try {
    await server.start();
  } catch (error) {
    throw new Error(describeStartFailure(error, config.server), { cause: error });
  }
  exitOnSignals({ server, logger, gracePeriodMs: config.server.shutdownGracePeriodMs });
  reloadCertificatesOnSighup({
    logger,
    ssl: config.server.ssl,
    clusterTls: config.clusterTls,
    server,
    mesh: build.mesh,
  });
  process.stdout.write(readyLine(server.port, process.pid, server.metricsPort) + '\n');
  tellSupervisorReady();
  return server;
}

/**
 * Under a supervisor with an IPC channel (PM2 with `wait_ready`), says 'ready' once the port is
 * bound, so a rolling reload moves to the next instance only when this one accepts clients.
 * Without a channel (a shell, systemd, Docker) this does nothing.
 */
function tellSupervisorReady(): void {
  if (!process.send || !process.connected) return;
  // A callback, so a channel that closed meanwhile is ignored rather than an 'error' event.
  process.send('ready', undefined, undefined, () => undefined);
}

/**
 * Checks the TLS files before anything listens (uWS would fail silently on a bad one) and reads
 * the mesh's into the cluster config. Throws a one-line `ConfigError` naming the file.
 */
function withTls(config: ResolvedConfig): ServerConfig {
  if (clientTlsEnabled(config.server.ssl)) checkClientTls(config.server.ssl);
  if (!meshTlsEnabled(config.clusterTls)) return config.server;
  const { pem } = loadMeshTls(config.clusterTls);
  return { ...config.server, cluster: { ...config.server.cluster, tls: pem } };
}

export function loadConfigFile(path: string): { path: string; content: unknown } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${oneLine(error)}`);
  }
  try {
    return { path, content: JSON.parse(text) };
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${oneLine(error)}`);
  }
}

function printSummary(config: ResolvedConfig, logger: Logger, version: string): void {
  const build = { version, nodeVersion: process.version, pid: process.pid };
  for (const line of describeConfig(config, build)) logger.info(line);
  for (const warning of config.warnings) logger.warn(warning);
  const exposed = config.appManager.driver === 'array' ? defaultCredentialsWarning(config.server) : undefined;
  if (exposed !== undefined) logger.warn(exposed);
  const unusedApps = unusedAppSettingsWarning(config);
  if (unusedApps !== undefined) logger.warn(unusedApps);
}

/** One line for a failed `server.start()`; a taken port is the usual cause. */
export function describeStartFailure(error: unknown, server: ServerConfig): string {
  const message = oneLine(error);
  if (error instanceof ClusterStartError) {
    const { host, port } = server.cluster;
    return error.driver === 'cluster'
      ? `the cluster adapter could not join the mesh on ${host}:${port}: ${message}`
      : `ADAPTER_DRIVER=${error.driver}: ${message}`;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (/in use/i.test(message)) return message;
  if (code === 'EADDRINUSE') return `port ${server.port} is in use (${server.host}:${server.port}): ${message}`;
  return `cannot start: ${message}`;
}
