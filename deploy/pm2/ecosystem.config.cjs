// PM2 recipe for meshpush: N processes on one machine, all serving the same public PORT (the
// cluster driver binds it with SO_REUSEPORT and the kernel splits new connections between them),
// meshed together over the cluster driver so that they behave as one Pusher server.
//
//   pm2 start deploy/pm2/ecosystem.config.cjs      # one instance per core
//   pm2 reload meshpush --parallel 1               # rolling, zero-downtime restart
//   pm2 scale meshpush 2                           # fewer or more instances
//
// Every value below can be changed from the shell that runs `pm2 start` (see README.md § PM2).
'use strict';

const os = require('node:os');
const path = require('node:path');

/** Time a draining instance gets before PM2 sends SIGKILL; mirrors apps/server/src/shutdown.ts. */
const SHUTDOWN_MARGIN_MS = 2000;
const KILL_SLACK_MS = 2000;

function positiveInteger(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${text}"`);
  return value;
}

function setting(name, fallback) {
  const value = process.env[name] ?? process.env[`SOKETI_${name}`];
  return value === undefined || value === '' ? fallback : value;
}

const gracePeriodMs = positiveInteger('SHUTDOWN_GRACE_PERIOD', 3000);

module.exports = {
  apps: [
    {
      name: setting('MESHPUSH_PM2_NAME', 'meshpush'),
      script: path.join(__dirname, 'instance.mjs'),
      args: ['start'],
      // uWebSockets.js does not run under Node's cluster module: separate processes, one port.
      exec_mode: 'fork',
      instances: positiveInteger('MESHPUSH_INSTANCES', os.availableParallelism()),
      instance_var: 'NODE_APP_INSTANCE',
      // The server says 'ready' over IPC once its port is bound: `pm2 reload` waits for it
      // before it moves to the next instance, so at most one instance is away at a time.
      wait_ready: true,
      listen_timeout: positiveInteger('MESHPUSH_LISTEN_TIMEOUT', 15_000),
      // PM2 stops with SIGINT: the instance drains (4200 to its sockets, BYE to the mesh) and
      // exits 0 within the grace period plus margin; SIGKILL only past that.
      kill_timeout: gracePeriodMs + SHUTDOWN_MARGIN_MS + KILL_SLACK_MS,
      // One log file per instance (…-out-<pm_id>.log), `pm2 logs` prefixes each line with
      // `<pm_id>|<name>`, and every line gets a timestamp to the millisecond.
      merge_logs: false,
      log_date_format: 'YYYY-MM-DDTHH:mm:ss.SSS',
      env: {
        NODE_ENV: 'production',
        PORT: setting('PORT', '6001'),
        // Sharing the port is only safe when the instances see each other's clients.
        ADAPTER_DRIVER: 'cluster',
        RATE_LIMITER_DRIVER: 'cluster',
        // One machine: the mesh stays on loopback unless told otherwise (seeds on other hosts
        // need a reachable address, and then CLUSTER_SECRET).
        CLUSTER_HOST: setting('CLUSTER_HOST', '127.0.0.1'),
        CLUSTER_PORT: setting('CLUSTER_PORT', '11002'),
        METRICS_ENABLED: setting('METRICS_ENABLED', 'true'),
        MESHPUSH_METRICS_BASE_PORT: setting('MESHPUSH_METRICS_BASE_PORT', '9601'),
        SHUTDOWN_GRACE_PERIOD: String(gracePeriodMs),
      },
    },
  ],
};
