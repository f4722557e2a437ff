import { benchData } from '../load/deliveries.js';
import { Publisher, type PublishOutcome } from '../load/publisher.js';
import { newRecord, type BenchRecord, type ScenarioName } from '../record.js';
import { nowMs, round } from '../util/time.js';
import {
  awaitDeliveries,
  beginPhase,
  closeWindow,
  fillDeliveries,
  fillMesh,
  noteRejections,
  openWindow,
  placeClients,
  type Placement,
  type ScenarioContext,
} from './common.js';

export interface ThroughputParams {
  readonly channels: number;
  readonly subscribersPerChannel: number;
  readonly durationMs: number;
  /** Keep-alive publisher connections, spread over all nodes (requests in flight). */
  readonly connections: number;
  readonly settleTimeoutMs: number;
  /** Publishing (and awaiting the deliveries) before the measurement, which starts from zero. */
  readonly warmupMs: number;
}

const SCENARIO: ScenarioName = 'throughput';

/**
 * The nodes that hold channel `c`'s subscribers. One node: node 0. A cluster: every node but
 * `c % nodes`, so each node is uninterested in a third of the channels (with 3 nodes), and a
 * mesh frame to it would be a routing error.
 */
export function channelNodes(channel: number, nodes: number): number[] {
  if (nodes === 1) return [0];
  return Array.from({ length: nodes - 1 }, (_, j) => (channel + 1 + j) % nodes);
}

function placements(params: ThroughputParams, nodes: number): Placement[] {
  const list: Placement[] = [];
  for (let c = 0; c < params.channels; c++) {
    const hosts = channelNodes(c, nodes);
    for (let j = 0; j < params.subscribersPerChannel; j++)
      list.push({ node: hosts[j % hosts.length] ?? 0, channel: channelName(c) });
  }
  return list;
}

const channelName = (c: number): string => `bench-tp-${c}`;

/**
 * C channels × K subscribers; publishes round-robin over the channels, as fast as the bounded
 * number of publisher connections allows, for a fixed time. Counts accepted publishes/s,
 * deliveries/s, losses, and in a cluster the mesh frames against the frames interest requires.
 */
export async function runThroughput(ctx: ScenarioContext, params: ThroughputParams): Promise<BenchRecord> {
  const nodes = ctx.server.ports.length;
  const record = newRecord(SCENARIO, ctx.server.driver, nodes, ctx.server.tls);
  Object.assign(record, {
    publishVia: nodes > 1 ? 'all' : null,
    clients: params.channels * params.subscribersPerChannel,
  });
  record.channels = params.channels;
  const subscribed = await placeClients(ctx, placements(params, nodes), record.errors);
  if (subscribed < params.channels * params.subscribersPerChannel) record.errors.push(`only ${subscribed} subscribed`);
  const publisher = await Publisher.open({
    ports: ctx.server.ports,
    connections: params.connections,
    app: ctx.app,
    ca: ctx.server.clientCa,
  });
  try {
    const warmUpPhase = await beginPhase(ctx);
    const warmUp = await publishFor(publisher, { ...params, durationMs: params.warmupMs }, nodes, warmUpPhase);
    await awaitDeliveries(ctx, warmUp.accepted * params.subscribersPerChannel, params.settleTimeoutMs);
    const phase = await beginPhase(ctx);
    const meshBefore = await ctx.server.meshCounters();
    const window = await openWindow(ctx);
    const run = await publishFor(publisher, params, nodes, phase);
    const expected = run.accepted * params.subscribersPerChannel;
    const deliveries = await awaitDeliveries(ctx, expected, params.settleTimeoutMs);
    record.messages = run.outcomes.length;
    await closeWindow(
      ctx,
      window,
      Object.assign(record, { accepted: run.accepted, delivered: deliveries.delivered }),
      deliveries.lastAtMs,
    );
    record.publishesPerSec = round((run.accepted * 1000) / params.durationMs, 0);
    fillDeliveries(record, deliveries, expected, window.startedAtMs);
    await fillMesh(ctx, record, meshBefore, run.meshFramesExpected);
    noteRejections(record, run.outcomes);
  } finally {
    publisher.close();
    await ctx.pool.all('closeAll', () => ({}));
  }
  return record;
}

interface ThroughputRun {
  readonly outcomes: PublishOutcome[];
  readonly accepted: number;
  /** Mesh frames the accepted publishes require: one per interested node other than the entry node. */
  readonly meshFramesExpected: number;
}

async function publishFor(
  publisher: Publisher,
  params: ThroughputParams,
  nodes: number,
  phase: number,
): Promise<ThroughputRun> {
  const endAt = nowMs() + params.durationMs;
  const outcomes: PublishOutcome[] = [];
  let next = 0;
  let meshFramesExpected = 0;
  const lane = async (): Promise<void> => {
    while (nowMs() < endAt) {
      let channel = 0;
      const outcome = await publisher.publish(() => {
        channel = next % params.channels;
        return { channel: channelName(channel), data: benchData(phase, next++) };
      });
      outcomes.push(outcome);
      if (outcome.status === 200 && nodes > 1)
        meshFramesExpected += channelNodes(channel, nodes).filter((n) => n !== outcome.node).length;
      if (outcome.status === 0) return;
    }
  };
  await Promise.all(Array.from({ length: params.connections }, lane));
  const accepted = outcomes.filter((outcome) => outcome.status === 200).length;
  return { outcomes, accepted, meshFramesExpected };
}
