import type { App } from '../app-manager/App.js';
import { channelNameProblem, eventNameProblem } from '../protocol/channels.js';
import type { ApiCall } from './apiCall.js';
import { channelCounts, parseInfoAttributes, type ChannelCounts, type InfoAttribute } from './channelInfo.js';
import type { HttpApiContext } from './HttpApiContext.js';
import { badRequest, payloadTooLarge } from './HttpApiError.js';

/** One event, checked and ready to publish. */
interface ValidEvent {
  readonly name: string;
  readonly data: string;
  /** Unique channel names, in request order. */
  readonly channels: readonly string[];
  readonly socketId: string | undefined;
  readonly info: ReadonlySet<InfoAttribute> | undefined;
}

const EVENT_INFO: readonly InfoAttribute[] = ['user_count', 'subscription_count'];
const SOCKET_ID = /^\d+\.\d+$/;

/** `POST /apps/:appId/events` → `{}`, or `{"channels": {name: counts}}` when `info` was given. */
export function triggerEvents(call: ApiCall, ctx: HttpApiContext): unknown {
  const input = parseJsonObject(call.body);
  const event = validateEvent(input, call.app, channelsOfTrigger(input), '');
  publish(ctx, call.app, event);
  if (event.info === undefined) return {};
  const info = event.info;
  return {
    channels: Object.fromEntries(
      event.channels.map((channel) => [channel, channelCounts(ctx.adapter, call.app.id, channel, info)]),
    ),
  };
}

/**
 * `POST /apps/:appId/batch_events` → `{}`, or `{"batch": [counts, …]}` index-aligned when any
 * event asked for `info`. Every event is checked before any is published: all or nothing.
 */
export function triggerBatch(call: ApiCall, ctx: HttpApiContext): unknown {
  const items = batchItems(parseJsonObject(call.body), call.app);
  const events = items.map((item, index) => {
    const where = `batch[${index}]: `;
    const input = asObject(item, `${where}each event must be a JSON object`);
    if (input['channel'] === undefined) throw badRequest(`${where}Missing channel`);
    return validateEvent(input, call.app, [input['channel']], where);
  });
  for (const event of events) publish(ctx, call.app, event);
  if (events.every((event) => event.info === undefined)) return {};
  return { batch: events.map((event) => batchItemCounts(ctx, call.app, event)) };
}

function batchItems(input: Record<string, unknown>, app: App): unknown[] {
  const batch = input['batch'];
  if (!Array.isArray(batch)) throw badRequest('batch must be an array of events');
  const max = app.limits.maxEventBatchSize;
  if (batch.length > max) throw badRequest(`Too many events in one batch: ${batch.length} (at most ${max})`);
  return batch;
}

function batchItemCounts(ctx: HttpApiContext, app: App, event: ValidEvent): ChannelCounts {
  const channel = event.channels[0];
  if (event.info === undefined || channel === undefined) return {};
  return channelCounts(ctx.adapter, app.id, channel, event.info);
}

function publish(ctx: HttpApiContext, app: App, event: ValidEvent): void {
  for (const channel of event.channels) {
    ctx.publisher.publishEvent(app, channel, event.name, event.data, event.socketId);
  }
}

/** `channels` (an array) wins over `channel` (one name), as in Pusher's API. */
function channelsOfTrigger(input: Record<string, unknown>): unknown[] {
  const channels = input['channels'];
  if (channels !== undefined) {
    if (!Array.isArray(channels)) throw badRequest('channels must be an array of channel names');
    return channels;
  }
  if (input['channel'] === undefined) throw badRequest('Missing channels (or channel)');
  return [input['channel']];
}

function validateEvent(input: Record<string, unknown>, app: App, channels: unknown[], where: string): ValidEvent {
  const limits = app.limits;
  const nameProblem = eventNameProblem(input['name'], limits.maxEventNameLength);
  if (nameProblem !== undefined) throw badRequest(where + nameProblem);
  return {
    name: input['name'] as string,
    data: validData(input['data'], app, where),
    channels: validChannels(channels, app, where),
    socketId: validSocketId(input['socket_id'], where),
    info: parseInfoAttributes(input['info'], EVENT_INFO, where),
  };
}

function validData(data: unknown, app: App, where: string): string {
  if (typeof data !== 'string') throw badRequest(`${where}data must be a string (JSON-encode objects first)`);
  const maxKb = app.limits.maxEventPayloadKb;
  // The limit is on bytes on the wire, so count UTF-8 bytes, not UTF-16 code units.
  if (Buffer.byteLength(data, 'utf8') > maxKb * 1024) {
    throw payloadTooLarge(`${where}Event data is larger than ${maxKb} KiB`);
  }
  return data;
}

function validChannels(channels: unknown[], app: App, where: string): string[] {
  const max = app.limits.maxEventChannelsAtOnce;
  if (channels.length === 0) throw badRequest(`${where}At least one channel is required`);
  if (channels.length > max) {
    throw badRequest(`${where}Too many channels: ${channels.length} (at most ${max} per event)`);
  }
  for (const channel of channels) {
    const problem = channelNameProblem(channel, app.limits.maxChannelNameLength);
    if (problem !== undefined) throw badRequest(`${where}Invalid channel ${JSON.stringify(channel)}: ${problem}`);
  }
  return [...new Set(channels as string[])];
}

function validSocketId(socketId: unknown, where: string): string | undefined {
  if (socketId === undefined || socketId === null) return undefined;
  if (typeof socketId !== 'string' || !SOCKET_ID.test(socketId)) {
    throw badRequest(`${where}socket_id must look like "123.456"`);
  }
  return socketId;
}

/** The body as a JSON object, or a 400 that says what is wrong with it. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('Request body is not valid JSON');
  }
  return asObject(parsed, 'Request body must be a JSON object');
}

function asObject(value: unknown, message: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(message);
  return value as Record<string, unknown>;
}
