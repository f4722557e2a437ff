import { newRecord, type BenchRecord } from '../record.js';
import { mergeHistograms } from '../util/histogram.js';
import { nowMs, round, sleep } from '../util/time.js';
import { closeWindow, openWindow, serverRssKb, type ScenarioContext } from './common.js';

export interface ConnectParams {
  readonly clients: number;
  /** Handshakes in flight per worker. */
  readonly concurrency: number;
}

/** Time for the server's RSS to settle after the last handshake. */
const SETTLE_MS = 500;
const WARMUP_CONNECTIONS = 100;

/**
 * N idle connections: connections/s over the whole ramp, handshake (new WebSocket →
 * `pusher:connection_established`) p50/p99, and the server's RSS growth per connection.
 */
export async function runConnect(ctx: ScenarioContext, params: ConnectParams): Promise<BenchRecord> {
  const record = newRecord('connect', ctx.server.driver, ctx.server.ports.length, ctx.server.tls);
  record.clients = params.clients;
  const urls = ctx.server.ports.map((_, i) => ctx.server.wsUrl(i));
  const ca = ctx.server.clientCa ?? null;
  // Warm-up: the first connections pay for JIT compilation and lazily loaded code on both sides.
  await ctx.pool.all('connect', () => ({
    urls,
    nodes: new Array<number>(WARMUP_CONNECTIONS).fill(0),
    concurrency: params.concurrency,
    ca,
  }));
  await ctx.pool.all('closeAll', () => ({}));
  const rssBeforeKb = serverRssKb(ctx);
  const window = await openWindow(ctx);
  const startedAt = nowMs();
  const results = await ctx.pool.all('connect', (w) => {
    const count = Math.floor(params.clients / ctx.pool.size) + (w < params.clients % ctx.pool.size ? 1 : 0);
    return {
      urls,
      nodes: Array.from({ length: count }, (_, k) => (k * ctx.pool.size + w) % urls.length),
      concurrency: params.concurrency,
      ca,
    };
  });
  const endedAt = nowMs();
  await closeWindow(ctx, window, record, endedAt);
  const opened = results.reduce((sum, result) => sum + result.opened, 0);
  for (const result of results)
    if (result.firstError !== null) record.errors.push(`${result.failed} failed, first: ${result.firstError}`);
  const handshake = mergeHistograms(results.map((result) => result.handshake));
  record.connectionsPerSec = round((opened * 1000) / (endedAt - startedAt), 0);
  record.handshakeP50Ms = round(handshake.percentileMs(50), 3);
  record.handshakeP99Ms = round(handshake.percentileMs(99), 3);
  await sleep(SETTLE_MS);
  record.rssPerConnectionKb = opened > 0 ? round((serverRssKb(ctx) - rssBeforeKb) / opened, 2) : null;
  record.serverRssMb = round(serverRssKb(ctx) / 1024, 1);
  await ctx.pool.all('closeAll', () => ({}));
  return record;
}
