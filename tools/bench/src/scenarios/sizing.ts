import { get } from 'node:http';
import { newRecord, type BenchRecord } from '../record.js';
import { processRssKb } from '../util/proc.js';
import { round, sleep } from '../util/time.js';
import type { ScenarioContext } from './common.js';

export interface SizingParams {
  /** Connections opened on node 0, each then subscribed to a channel of its own. */
  readonly connections: number;
  /** Presence members joining on node 0, `membersPerChannel` per channel. */
  readonly members: number;
  readonly membersPerChannel: number;
  /** Wait after each step before RSS is read. */
  readonly settleMs: number;
}

/**
 * RSS of node 0 (the clients' node), in KiB, and the V8 heap in use on node 1 (which holds only
 * the replica: plain JS maps, no sockets), in KiB. A replica entry is far smaller than the noise
 * of RSS, so node 1 is read from its heap, after a settle long enough for V8's idle collection.
 */
type Rss = readonly [local: number, replica: number];

/**
 * Memory per item, measured on a 2-node mesh: every client connects to node 0, so node 0 grows by
 * what an item costs where it lives, and node 1 by what its replica costs on every other node of
 * the cluster. Steps: idle connections, then one channel of its own per connection, then presence
 * members (each a connection of its own: that connection's cost is taken off).
 */
export async function runSizing(ctx: ScenarioContext, params: SizingParams): Promise<BenchRecord> {
  const record = newRecord('sizing', 'cluster', ctx.server.ports.length);
  record.clients = params.connections;
  try {
    await sleep(params.settleMs);
    const start = await rss(ctx);
    await connect(ctx, params.connections, record.errors);
    const connected = await settled(ctx, params.settleMs);
    await subscribe(ctx, params.connections, record.errors);
    const subscribed = await settled(ctx, params.settleMs);
    await joinPresence(ctx, params, record.errors);
    const joined = await settled(ctx, params.settleMs);
    const perConnection = (connected[0] - start[0]) / params.connections;
    record.rssPerConnectionKb = round(perConnection, 2);
    record.rssPerSubscriptionKb = round((subscribed[0] - connected[0]) / params.connections, 2);
    record.replicaKbPerSubscription = round((subscribed[1] - connected[1]) / params.connections, 2);
    record.rssPerPresenceMemberKb = round((joined[0] - subscribed[0]) / params.members - perConnection, 2);
    record.replicaKbPerPresenceMember = round((joined[1] - subscribed[1]) / params.members, 2);
    record.serverRssMb = round((joined[0] + joined[1]) / 1024, 1);
  } finally {
    await ctx.pool.all('closeAll', () => ({}));
  }
  return record;
}

async function rss(ctx: ScenarioContext): Promise<Rss> {
  const local = processRssKb(ctx.server.pids[0] ?? 0) ?? 0;
  return [local, (await heapUsedBytes(ctx.server.ports[1] ?? 0)) / 1024];
}

async function settled(ctx: ScenarioContext, settleMs: number): Promise<Rss> {
  await sleep(settleMs);
  return rss(ctx);
}

/** `GET /usage` → `memory.heapUsed`. */
function heapUsedBytes(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/usage', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          resolve((JSON.parse(body) as { memory: { heapUsed: number } }).memory.heapUsed);
        } catch (error) {
          reject(new Error(`GET /usage on port ${port}: ${body.slice(0, 80)}`, { cause: error }));
        }
      });
    })
      .on('timeout', function (this: { destroy(error: Error): void }) {
        this.destroy(new Error(`GET /usage on port ${port} timed out`));
      })
      .on('error', reject);
  });
}

/** Connection `k` of the run is client `k / workers` of worker `k % workers`. */
function share(ctx: ScenarioContext, count: number, w: number): number {
  return Math.floor(count / ctx.pool.size) + (w < count % ctx.pool.size ? 1 : 0);
}

async function connect(ctx: ScenarioContext, count: number, errors: string[]): Promise<void> {
  const urls = [ctx.server.wsUrl(0)];
  const results = await ctx.pool.all('connect', (w) => ({
    urls,
    nodes: new Array<number>(share(ctx, count, w)).fill(0),
    concurrency: 64,
    ca: null,
  }));
  for (const r of results)
    if (r.firstError !== null) errors.push(`connect: ${r.failed} failed, first: ${r.firstError}`);
}

async function subscribe(ctx: ScenarioContext, count: number, errors: string[]): Promise<void> {
  const results = await ctx.pool.all('subscribe', (w) => ({
    channels: Array.from({ length: share(ctx, count, w) }, (_, i) => `sizing-${w}-${i}`),
    concurrency: 200,
  }));
  for (const r of results)
    if (r.firstError !== null) errors.push(`subscribe: ${r.failed} failed, first: ${r.firstError}`);
}

async function joinPresence(ctx: ScenarioContext, params: SizingParams, errors: string[]): Promise<void> {
  const urls = [ctx.server.wsUrl(0)];
  const channels = Math.ceil(params.members / params.membersPerChannel);
  for (let c = 0; c < channels; c++) {
    const members = Math.min(params.membersPerChannel, params.members - c * params.membersPerChannel);
    const joins = await ctx.pool.all('presenceJoin', (w) => ({
      urls,
      channel: `presence-sizing-${c}`,
      userIds: Array.from({ length: members }, (_, i) => `user-${c}-${i}`).filter((_, i) => i % ctx.pool.size === w),
      batchSize: 50,
      app: ctx.app,
      ca: null,
    }));
    for (const j of joins)
      if (j.firstError !== null) errors.push(`presence: ${j.failed} failed, first: ${j.firstError}`);
  }
}
