import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Adapter } from '../../adapter/Adapter.js';
import type { App } from '../../app-manager/App.js';
import type { EventPublisher } from '../../http/HttpApiContext.js';
import { channelNameProblem, channelType, eventNameProblem } from '../../protocol/channels.js';
import type { DebugTap } from '../DebugTap.js';
import { readJson, sendError, sendJson } from './consoleHttp.js';

export interface ChannelRow {
  readonly name: string;
  readonly subscriptionCount: number;
  /** Presence channels only. */
  readonly userCount?: number;
}

/** The app's occupied channels, from the adapter's local view of the whole cluster. */
export function appChannels(adapter: Adapter, appId: string): ChannelRow[] {
  const rows: ChannelRow[] = [];
  for (const [name, subscriptionCount] of adapter.channels(appId)) {
    const userCount = channelType(name) === 'presence' ? adapter.presenceMembers(appId, name).size : undefined;
    rows.push({ name, subscriptionCount, ...(userCount !== undefined && { userCount }) });
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

export function presenceMembers(adapter: Adapter, appId: string, channel: string): { id: string; info: unknown }[] {
  if (channelType(channel) !== 'presence') return [];
  return [...adapter.presenceMembers(appId, channel)].map(([id, info]) => ({ id, info }));
}

/** This node, its peers (RTTs and traffic, from which the page draws rates) and the tap's counters. */
export function clusterStatus(options: { adapter: Adapter; tap: DebugTap; nowMs(): number }): unknown {
  return { timeMs: options.nowMs(), node: options.tap.nodeId, tap: options.tap.stats, ...options.adapter.status() };
}

/** The event creator: the same publisher as `POST /apps/:id/events`, with the same name and size checks. */
export async function createEvent(
  req: IncomingMessage,
  res: ServerResponse,
  app: App,
  publisher: EventPublisher,
): Promise<void> {
  const limitBytes = app.limits.maxEventPayloadKb * 1024;
  const body = (await readJson(req, limitBytes + 4096)) as { channel?: unknown; event?: unknown; data?: unknown };
  if (typeof body !== 'object' || body === null) return sendError(res, 400, 'Expected a JSON object');
  const problem =
    channelNameProblem(body.channel, app.limits.maxChannelNameLength) ??
    eventNameProblem(body.event, app.limits.maxEventNameLength);
  if (problem) return sendError(res, 400, problem);
  const data = typeof body.data === 'string' ? body.data : JSON.stringify(body.data ?? {});
  if (Buffer.byteLength(data) > limitBytes)
    return sendError(res, 413, `data is larger than ${app.limits.maxEventPayloadKb} KB`);
  publisher.publishEvent(app, body.channel as string, body.event as string, data);
  sendJson(res, 200, {});
}
