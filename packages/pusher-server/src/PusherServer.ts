import { setTimeout as delay } from 'node:timers/promises';
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import type { Adapter } from './adapter/Adapter.js';
import { LocalAdapter } from './adapter/LocalAdapter.js';
import type { AppManager } from './app-manager/AppManager.js';
import { AppRevalidator } from './app-manager/AppRevalidator.js';
import { ArrayAppManager } from './app-manager/ArrayAppManager.js';
import type { ServerConfig } from './config/ServerConfig.js';
import { checkAdapterGiven, resolveServerConfig, type ServerConfigInput } from './config/resolveServerConfig.js';
import { createDebugConsole, createDebugTap, debugWebhookObserver, startDebugRelay } from './debug/debugWiring.js';
import type { DebugRelay } from './debug/DebugRelay.js';
import type { DebugTap } from './debug/DebugTap.js';
import { registerHttpApi } from './http/registerHttpApi.js';
import { meteredPublish } from './metrics/meteredPublish.js';
import type { MetricsServer } from './metrics/MetricsServer.js';
import { ServerMetrics } from './metrics/ServerMetrics.js';
import { startMetricsServer, stopMetrics } from './metrics/startMetrics.js';
import { ReconnectImmediately } from './protocol/CloseCodes.js';
import type { PusherProtocol } from './protocol/PusherProtocol.js';
import { createProtocolCore } from './publish/createProtocolCore.js';
import { AppRateLimiter, type RateLimitCount } from './rate-limit/AppRateLimiter.js';
import type { MeshpushServer, ServerDeps } from './ServerApi.js';
import { silentLogger, type Logger } from './util/Logger.js';
import { nativeUws, nativeUwsProvider } from './uws/nativeUws.js';
import { registerWebSocket } from './uws/registerWebSocket.js';
import { AppGenerations } from './uws/AppGenerations.js';
import { createUwsApp, sslEnabled, type CertificateSummary } from './uws/sslApp.js';
import { closeApp, listenWithOptions } from './uws/uwsExtras.js';
import type { BackpressureStats } from './uws/UwsSocket.js';
import { createWebhooks } from './webhooks/createWebhooks.js';
import type { Webhooks } from './webhooks/Webhooks.js';

/** uSockets' flag for a bind without SO_REUSEPORT. */
const LISTEN_EXCLUSIVE_PORT = 1;
const LISTEN_SHARED_PORT = 0;
/** How long a stopping server keeps answering upgrades with 4200 after its listener closed. */
const DRAIN_REFUSAL_WINDOW_MS = 500;

/**
 * Builds a server; nothing is bound until `start()`. Every field of `config` is optional (see
 * {@link resolveServerConfig}); `deps` supplies the drivers and hooks of a host application.
 * @throws TypeError for an invalid setting, or a non-local `adapter.driver` without `deps.adapter`.
 */
export function createServer(config: ServerConfigInput = {}, deps: ServerDeps = {}): MeshpushServer {
  const resolved = resolveServerConfig(config);
  checkAdapterGiven(resolved, deps);
  return new PusherServer(resolved, deps);
}

class PusherServer implements MeshpushServer {
  readonly config: ServerConfig;
  readonly #logger: Logger;
  readonly #adapter: Adapter;
  readonly #apps: AppManager;
  readonly #rateLimiter: AppRateLimiter;
  readonly #nowMs: () => number;
  readonly #stats: BackpressureStats = { droppedFrames: 0 };
  readonly #deps: ServerDeps;
  readonly #metrics: ServerMetrics | undefined;
  #metricsServer: MetricsServer | undefined;
  #webhooks: Webhooks | undefined;
  #debugRelay: DebugRelay | undefined;
  #closeDebugConsole: (() => void) | undefined;
  #protocol: PusherProtocol | undefined;
  #app: TemplatedApp | undefined;
  #listenSocket: us_listen_socket | undefined;
  /** The client TLS certificate, when the listener speaks TLS. */
  #certificate: CertificateSummary | undefined;
  #generations: AppGenerations | undefined;
  /** Registers the HTTP API and the WebSocket endpoint on a uWS app (the first one, or a reloaded one). */
  #mount: ((app: TemplatedApp) => void) | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #revalidator: AppRevalidator | undefined;
  #port = 0;
  #draining = false;
  #leftCluster = false;
  #stopping: Promise<void> | undefined;

  constructor(config: ServerConfig, deps: ServerDeps) {
    this.config = config;
    this.#logger = deps.logger ?? silentLogger;
    this.#nowMs = deps.nowMs ?? Date.now;
    this.#adapter = deps.adapter ?? new LocalAdapter({ nowMs: this.#nowMs });
    this.#apps = deps.appManager ?? new ArrayAppManager(config.apps, config.limits);
    this.#deps = deps;
    this.#metrics = config.metrics.enabled ? new ServerMetrics(config.metrics.prefix) : undefined;
    this.#rateLimiter = new AppRateLimiter({
      ...(deps.rateLimiter ? { limiter: deps.rateLimiter } : {}),
      ...(this.#metrics ? { observer: this.#metrics } : {}),
    });
  }

  get metricsPort(): number {
    return this.#metricsServer?.port ?? 0;
  }

  get port(): number {
    return this.#port;
  }

  connectionCount(): number {
    return this.#protocol?.connectionCount ?? 0;
  }

  rateLimitCounts(): RateLimitCount[] {
    return this.#rateLimiter.counts();
  }

  async start(): Promise<void> {
    if (this.#app) throw new Error('Server already started');
    const uws = nativeUwsProvider();
    this.#logger.info('uWebSockets.js loaded', { ...uws, node: process.version });
    const { app, certificate } = createUwsApp(this.config.ssl);
    this.#certificate = certificate;
    const generations = new AppGenerations(app);
    this.#generations = generations;
    const debug = createDebugTap(this.#adapter, this.#nowMs);
    const webhooks = this.#startWebhooks(debug);
    const { protocol, publisher, fanout } = createProtocolCore({
      debug,
      adapter: this.#adapter,
      config: this.config,
      logger: this.#logger,
      nowMs: this.#nowMs,
      rateLimiter: this.#rateLimiter,
      webhooks,
      publishToTopic: meteredPublish(generations, this.#metrics),
    });
    this.#app = app;
    this.#protocol = protocol;
    await this.#adapter.start(protocol, fanout);
    this.#debugRelay = startDebugRelay(this.#adapter, debug);
    const isDraining = (): boolean => this.#draining;
    const common = {
      config: this.config,
      apps: this.#apps,
      adapter: this.#adapter,
      logger: this.#logger,
      isDraining,
      hasLeftCluster: () => this.#leftCluster,
      metrics: this.#metrics,
    };
    this.#mount = (target) => {
      registerHttpApi(target, { ...common, publisher, nowMs: this.#nowMs, rateLimiter: this.#rateLimiter });
      registerWebSocket(target, { ...common, protocol, stats: this.#stats, generations });
    };
    this.#mount(app);
    const debugConsole = createDebugConsole({
      ...common,
      tap: debug,
      publisher,
      nowMs: this.#nowMs,
      connectedAppIds: () => protocol.connectedAppIds(),
    });
    this.#closeDebugConsole = debugConsole?.close;
    this.#metricsServer = await startMetricsServer(
      this.config.metrics,
      this.#metrics,
      this.#logger,
      debugConsole?.route,
    );
    this.#listenSocket = await this.#listen(app).catch(async (error: unknown) => {
      await stopMetrics(this.#metricsServer, this.#metrics);
      throw error;
    });
    this.#port = nativeUws().us_socket_local_port(this.#listenSocket);
    this.#sweepTimer = setInterval(() => protocol.sweep(), sweepIntervalMs(this.config)).unref();
    this.#revalidator = new AppRevalidator(this.#apps, protocol, this.#logger);
    this.#revalidator.start();
    this.#logger.info('listening', {
      host: this.config.host,
      port: this.#port,
      adapter: this.#adapter.driver,
      tls: this.#certificate !== undefined,
    });
  }

  /**
   * Re-reads the TLS files named in `config.ssl` for new connections; open ones keep their
   * session. uWS cannot swap the certificate of a listening app, so a new app takes over the
   * port and the old one keeps its sockets (publishes reach both). Rejects with the reason, and
   * changes nothing, when the files are not usable or the server does not speak TLS.
   */
  async reloadTls(): Promise<CertificateSummary> {
    const generations = this.#generations;
    if (!generations || !this.#mount || !this.#listenSocket || this.#draining)
      throw new Error('the server is not running');
    if (!sslEnabled(this.config.ssl)) throw new Error('the server was started without TLS (ssl.certFile)');
    // Linux does not let a port the kernel picked (port 0) be bound again while its connections live.
    if (this.config.port === 0) throw new Error('a TLS reload needs a fixed port; this server was started with port 0');
    const { app, certificate } = createUwsApp(this.config.ssl);
    if (!certificate) throw new Error('the server was started without TLS (ssl.certFile)');
    this.#mount(app);
    this.#listenSocket = await this.#takeOverPort(app, this.#listenSocket, generations.current);
    generations.add(app);
    this.#certificate = certificate;
    this.#logger.info('TLS certificate reloaded for new connections', {
      subject: certificate.subject,
      validTo: certificate.validTo,
    });
    return certificate;
  }

  /**
   * Moves the listening port to `next`. A shared port (cluster drivers) is bound twice for a
   * moment, so no connection is refused; an exclusive one is released and bound again at once,
   * and given back to `previous` if that fails.
   */
  async #takeOverPort(
    next: TemplatedApp,
    listening: us_listen_socket,
    previous: TemplatedApp,
  ): Promise<us_listen_socket> {
    const port = this.#port;
    if (this.#adapter.driver !== 'local') {
      const socket = await this.#listen(next, port);
      nativeUws().us_listen_socket_close(listening);
      return socket;
    }
    nativeUws().us_listen_socket_close(listening);
    try {
      return await this.#listen(next, port);
    } catch (error) {
      this.#listenSocket = await this.#listen(previous, port);
      throw error;
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#drain();
    return this.#stopping;
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    if (this.#listenSocket) nativeUws().us_listen_socket_close(this.#listenSocket);
    this.#listenSocket = undefined;
    // On a shared port (siblings take over), connections accepted just before the listener
    // closed have not sent their upgrade yet: they must get a 4200 (reconnect now, to a sibling)
    // rather than a cut TCP connection, which pusher-js only notices after its 15 s timeout.
    const refusalWindow = this.#sharesPort()
      ? delay(Math.min(DRAIN_REFUSAL_WINDOW_MS, this.config.shutdownGracePeriodMs))
      : Promise.resolve();
    clearInterval(this.#sweepTimer);
    await this.#revalidator?.stop();
    this.#protocol?.closeAll(ReconnectImmediately);
    // Pending leaves go to the peers (before the BYE); this node's queue is flushed after it.
    this.#webhooks?.handOver();
    // Before the adapter: a cluster limiter shares the adapter's transport, which the adapter closes.
    await this.#rateLimiter.close();
    this.#debugRelay?.close();
    this.#closeDebugConsole?.();
    try {
      // From here an accepted event would reach nobody: the API answers 503 until it closes.
      this.#leftCluster = true;
      await this.#adapter.close();
      await this.#webhooks?.drain(this.config.shutdownGracePeriodMs);
    } finally {
      await refusalWindow;
      await stopMetrics(this.#metricsServer, this.#metrics);
      await this.#apps.close?.();
      // Ends idle keep-alive HTTP connections too, so an embedding process can exit.
      for (const app of this.#generations?.all ?? (this.#app ? [this.#app] : [])) closeApp(app);
      this.#logger.info('stopped', { port: this.#port });
    }
  }

  #startWebhooks(debug: DebugTap): Webhooks {
    const webhooks = createWebhooks({
      config: this.config,
      cluster: this.#adapter,
      apps: this.#apps,
      logger: this.#logger,
      wallClockMs: this.#nowMs,
      post: this.#deps.webhookPoster,
      observer: debugWebhookObserver(this.#metrics, debug),
    });
    this.#metrics?.attach({
      port: () => this.#port,
      adapterStatus: () => this.#adapter.status(),
      clientCertificate: () => this.#certificate,
      webhookQueue: () => webhooks,
      appManager: () => this.#apps.stats?.(),
      backpressure: this.#stats,
    });
    this.#webhooks = webhooks;
    return webhooks;
  }

  /** The local adapter must own its port: a second process on it would silently split clients. */
  #sharesPort(): boolean {
    return this.#adapter.driver !== 'local';
  }

  #listen(app: TemplatedApp, port = this.config.port): Promise<us_listen_socket> {
    const shared = this.#sharesPort();
    const { host } = this.config;
    return new Promise((resolve, reject) => {
      listenWithOptions(app, host, port, shared ? LISTEN_SHARED_PORT : LISTEN_EXCLUSIVE_PORT, (socket) => {
        if (socket) resolve(socket);
        else reject(new Error(`Cannot listen on ${host}:${port}: the port is in use or the address is not available`));
      });
    });
  }
}

/** Often enough that timeouts fire close to their deadline, never more than once a second. */
function sweepIntervalMs(config: ServerConfig): number {
  const shortest = Math.min(config.activityTimeoutSec * 1000, config.pongTimeoutMs, config.userAuthenticationTimeoutMs);
  return Math.max(50, Math.min(1000, Math.floor(shortest / 4)));
}
