import { benchData } from '../load/deliveries.js';
import { Publisher, type PublishOutcome } from '../load/publisher.js';
import { newRecord, type BenchRecord } from '../record.js';
import { nowMs, round, sleep } from '../util/time.js';
import {
  awaitDeliveries,
  beginPhase,
  closeWindow,
  fillDeliveries,
  fillMesh,
  noteRejections,
  openWindow,
  placeClients,
  type ScenarioContext,
} from './common.js';

export interface FanoutParams {
  readonly subscribers: number;
  readonly messages: number;
  /** Publishes per second; null publishes as fast as `connections` allow (`fanout-max`). */
  readonly ratePerSec: number | null;
  /** Keep-alive publisher connections (requests in flight). */
  readonly connections: number;
  /** Ceiling on the wait for the last deliveries. */
  readonly settleTimeoutMs: number;
  /** Published (same rate) and awaited before the measurement, which starts from zero. */
  readonly warmupMessages: number;
}

const CHANNEL = 'bench-fanout';

/**
 * S subscribers on one channel (spread over the nodes), P signed publishes through node 0.
 * In a cluster the subscribers on nodes 1… give the cross-node latency, and every node but the
 * publisher's should receive exactly one mesh frame per message.
 */
export async function runFanout(ctx: ScenarioContext, params: FanoutParams): Promise<BenchRecord> {
  const nodes = ctx.server.ports.length;
  const record = newRecord(
    params.ratePerSec === null ? 'fanout-max' : 'fanout',
    ctx.server.driver,
    nodes,
    ctx.server.tls,
  );
  Object.assign(record, { publishVia: nodes > 1 ? 'one' : null, clients: params.subscribers, channels: 1 });
  record.messages = params.messages;
  record.ratePerSec = params.ratePerSec;
  const placements = Array.from({ length: params.subscribers }, (_, i) => ({ node: i % nodes, channel: CHANNEL }));
  const subscribed = await placeClients(ctx, placements, record.errors);
  const publisher = await Publisher.open({
    ports: [ctx.server.ports[0] ?? 0],
    connections: params.connections,
    app: ctx.app,
    ca: ctx.server.clientCa,
  });
  try {
    await warmUp(ctx, publisher, params, subscribed);
    await measure(ctx, publisher, params, subscribed, record);
  } finally {
    publisher.close();
    await ctx.pool.all('closeAll', () => ({}));
  }
  return record;
}

/** A few messages first, so that JIT compilation in the server and the workers is not measured. */
async function warmUp(
  ctx: ScenarioContext,
  publisher: Publisher,
  params: FanoutParams,
  subscribed: number,
): Promise<void> {
  const messages = Math.min(params.warmupMessages, params.messages);
  if (messages === 0) return;
  const phase = await beginPhase(ctx);
  const { outcomes } = await publishAll(publisher, { ...params, messages }, phase);
  await awaitDeliveries(
    ctx,
    outcomes.filter((outcome) => outcome.status === 200).length * subscribed,
    params.settleTimeoutMs,
  );
}

async function measure(
  ctx: ScenarioContext,
  publisher: Publisher,
  params: FanoutParams,
  subscribed: number,
  record: BenchRecord,
): Promise<void> {
  const nodes = ctx.server.ports.length;
  const phase = await beginPhase(ctx);
  const meshBefore = await ctx.server.meshCounters();
  const window = await openWindow(ctx);
  const { outcomes, firstSendAtMs, lastSendAtMs } = await publishAll(publisher, params, phase);
  const accepted = outcomes.filter((outcome) => outcome.status === 200).length;
  const deliveries = await awaitDeliveries(ctx, accepted * subscribed, params.settleTimeoutMs);
  await closeWindow(
    ctx,
    window,
    Object.assign(record, { accepted, delivered: deliveries.delivered }),
    deliveries.lastAtMs,
  );
  record.publishesPerSec = round((accepted * 1000) / Math.max(1, lastSendAtMs - firstSendAtMs), 0);
  fillDeliveries(record, deliveries, accepted * subscribed, firstSendAtMs, 0);
  await fillMesh(ctx, record, meshBefore, accepted * (nodes - 1));
  noteRejections(record, outcomes);
}

interface PublishRun {
  readonly outcomes: PublishOutcome[];
  readonly firstSendAtMs: number;
  readonly lastSendAtMs: number;
}

/** Paced at `ratePerSec` (each event's body is built when it is written), or all at once. */
async function publishAll(publisher: Publisher, params: FanoutParams, phase: number): Promise<PublishRun> {
  const pending: Promise<PublishOutcome>[] = [];
  const firstSendAtMs = nowMs();
  let lastSendAtMs = firstSendAtMs;
  const build = (sequence: number) => () => {
    lastSendAtMs = nowMs();
    return { channel: CHANNEL, data: benchData(phase, sequence) };
  };
  for (let i = 0; i < params.messages; i++) {
    if (params.ratePerSec !== null) {
      const wait = firstSendAtMs + (i * 1000) / params.ratePerSec - nowMs();
      if (wait > 0) await sleep(wait);
    }
    pending.push(publisher.publish(build(i)));
  }
  const outcomes = await Promise.all(pending);
  return { outcomes, firstSendAtMs, lastSendAtMs };
}
