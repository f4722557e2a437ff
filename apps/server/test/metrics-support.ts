/** Loopback-only metrics on an ephemeral port, as the binary reads them from its environment. */
export const METRICS_ENV = Object.freeze({
  METRICS_ENABLED: 'true',
  METRICS_HOST: '127.0.0.1',
  METRICS_SERVER_PORT: '0',
});
