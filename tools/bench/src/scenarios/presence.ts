import { randomBytes } from 'node:crypto';
import { newRecord, type BenchRecord } from '../record.js';
import { nowMs, round, waitUntil } from '../util/time.js';
import { closeWindow, openWindow, type ScenarioContext } from './common.js';

export interface PresenceParams {
  readonly clients: number;
  /** Clients joining at once, per worker. */
  readonly batchSize: number;
  /** Independent joins, each on a fresh channel: "converges every time". */
  readonly runs: number;
  readonly convergeTimeoutMs: number;
}

interface RunResult {
  readonly joinMs: number;
  /** Null when some client's member count never reached the total. */
  readonly convergeMs: number | null;
  readonly convergedClients: number;
}

/**
 * N clients join one presence channel (spread over the nodes) in concurrent batches. Records the
 * time until every join succeeded and until every client's member count equals N.
 */
export async function runPresence(ctx: ScenarioContext, params: PresenceParams): Promise<BenchRecord> {
  const record = newRecord('presence', ctx.server.driver, ctx.server.ports.length, ctx.server.tls);
  Object.assign(record, { clients: params.clients, channels: 1, runs: params.runs });
  const window = await openWindow(ctx);
  const runs: RunResult[] = [];
  for (let run = 0; run < params.runs; run++) runs.push(await presenceRun(ctx, params, record.errors));
  await closeWindow(ctx, window, record);
  record.joinMs = round(Math.max(...runs.map((run) => run.joinMs)), 1);
  const converged = runs.filter((run) => run.convergeMs !== null);
  record.convergedRuns = converged.length;
  record.convergeMs =
    converged.length === runs.length ? round(Math.max(...converged.map((run) => run.convergeMs ?? 0)), 1) : null;
  record.convergedClients = Math.min(...runs.map((run) => run.convergedClients));
  return record;
}

async function presenceRun(ctx: ScenarioContext, params: PresenceParams, errors: string[]): Promise<RunResult> {
  const channel = `presence-bench-${randomBytes(4).toString('hex')}`;
  const urls = ctx.server.ports.map((_, i) => ctx.server.wsUrl(i));
  const workers = ctx.pool.size;
  const startedAt = nowMs();
  try {
    const joins = await ctx.pool.all('presenceJoin', (w) => ({
      urls: urls.map((_, i) => urls[(i + w) % urls.length] ?? ''),
      channel,
      userIds: Array.from({ length: params.clients }, (_, i) => `user-${i}`).filter((_, i) => i % workers === w),
      batchSize: Math.max(1, Math.round(params.batchSize / workers)),
      app: ctx.app,
      ca: ctx.server.clientCa ?? null,
    }));
    for (const join of joins)
      if (join.firstError !== null) errors.push(`presence join: ${join.failed} failed, first: ${join.firstError}`);
    const joinMs = Math.max(...joins.map((join) => join.lastJoinedAtMs)) - startedAt;
    let counts: number[] = [];
    const converged = await waitUntil(
      async () => {
        counts = (await ctx.pool.all('presenceCounts', () => ({}))).flatMap((result) => result.counts);
        return counts.length === params.clients && counts.every((count) => count === params.clients);
      },
      params.convergeTimeoutMs,
      20,
    );
    const convergedClients = counts.filter((count) => count === params.clients).length;
    if (!converged)
      errors.push(`presence: ${convergedClients}/${params.clients} clients saw ${params.clients} members`);
    return { joinMs, convergeMs: converged ? nowMs() - startedAt : null, convergedClients };
  } finally {
    await ctx.pool.all('closeAll', () => ({}));
  }
}
