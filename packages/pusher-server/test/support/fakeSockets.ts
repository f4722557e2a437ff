import type { Adapter } from '../../src/adapter/Adapter.js';
import { LocalAdapter } from '../../src/adapter/LocalAdapter.js';
import { resolveApp, type App, type AppConfig } from '../../src/app-manager/App.js';
import { defaultServerConfig, type ServerConfig } from '../../src/config/ServerConfig.js';
import type { Connection, PusherSocket } from '../../src/protocol/Connection.js';
import type { PusherProtocol } from '../../src/protocol/PusherProtocol.js';
import type { ChannelEventPublisher } from '../../src/publish/ChannelEventPublisher.js';
import { createProtocolCore } from '../../src/publish/createProtocolCore.js';
import { hmacSha256Hex } from '../../src/protocol/signatures.js';
import { silentLogger } from '../../src/util/Logger.js';

/** In-memory topic pub/sub standing in for uWS's. */
export class FakeHub {
  readonly topics = new Map<string, Set<FakeSocket>>();

  publish(topic: string, frame: string, except?: FakeSocket): void {
    for (const socket of this.topics.get(topic) ?? []) if (socket !== except) socket.send(frame);
  }
}

export class FakeSocket implements PusherSocket {
  readonly frames: Array<{ event: string; channel?: string; data?: unknown; user_id?: string }> = [];
  closedWith: { code: number; reason: string } | undefined;
  onClose: (() => void) | undefined;
  readonly #hub: FakeHub;

  constructor(hub: FakeHub) {
    this.#hub = hub;
  }

  send(frame: string): void {
    this.frames.push(JSON.parse(frame));
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    for (const set of this.#hub.topics.values()) set.delete(this);
    this.onClose?.();
  }

  subscribe(topic: string): void {
    let set = this.#hub.topics.get(topic);
    if (!set) this.#hub.topics.set(topic, (set = new Set()));
    set.add(this);
  }

  unsubscribe(topic: string): void {
    this.#hub.topics.get(topic)?.delete(this);
  }

  publishToOthers(topic: string, frame: string): void {
    // uWS sends nothing when the sender is not in the topic; fail loudly instead of hiding that.
    if (!this.#hub.topics.get(topic)?.has(this)) throw new Error(`publishToOthers from a socket outside ${topic}`);
    this.#hub.publish(topic, frame, this);
  }

  /** Frames with this event name, data decoded when it is a JSON string. */
  events(event: string): Array<{ channel?: string; data: any; user_id?: string }> {
    return this.frames
      .filter((f) => f.event === event)
      .map((f) => ({ ...f, data: typeof f.data === 'string' ? safeParse(f.data) : f.data }));
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface Harness {
  readonly protocol: PusherProtocol;
  /** The HTTP API's way in: publishes events as `POST /events` does. */
  readonly publisher: ChannelEventPublisher;
  readonly adapter: Adapter;
  readonly app: App;
  readonly clock: { now: number };
  readonly config: ServerConfig;
  connect(app?: App): { socket: FakeSocket; connection: Connection };
  send(connection: Connection, message: unknown): void;
}

/** A protocol core over a LocalAdapter and fake sockets, with a hand-driven clock. */
export async function createHarness(
  appConfig: Partial<AppConfig> = {},
  configPatch: Partial<ServerConfig> = {},
  makeAdapter: (nowMs: () => number) => Adapter = (nowMs) => new LocalAdapter({ nowMs }),
): Promise<Harness> {
  const config = { ...defaultServerConfig(), ...configPatch };
  const clock = { now: Date.now() };
  const hub = new FakeHub();
  const adapter = makeAdapter(() => clock.now);
  const { protocol, fanout, publisher } = createProtocolCore({
    adapter,
    config,
    logger: silentLogger,
    nowMs: () => clock.now,
    publishToTopic: (topic, frame) => hub.publish(topic, frame),
  });
  await adapter.start(protocol, fanout);
  const app = resolveApp({ id: 'app-id', key: 'app-key', secret: 'app-secret', ...appConfig }, config.limits);
  return {
    protocol,
    publisher,
    adapter,
    app,
    clock,
    config,
    connect(target = app) {
      const socket = new FakeSocket(hub);
      const connection = protocol.open(socket, target);
      socket.onClose = () => protocol.closed(connection);
      return { socket, connection };
    },
    send(connection, message) {
      protocol.message(connection, typeof message === 'string' ? message : JSON.stringify(message));
    },
  };
}

export function privateAuth(app: App, socketId: string, channel: string): string {
  return `${app.key}:${hmacSha256Hex(app.secret, `${socketId}:${channel}`)}`;
}

export function presenceSubscribe(
  app: App,
  socketId: string,
  channel: string,
  member: { user_id: string | number; user_info?: unknown },
) {
  const channelData = JSON.stringify(member);
  const auth = `${app.key}:${hmacSha256Hex(app.secret, `${socketId}:${channel}:${channelData}`)}`;
  return { event: 'pusher:subscribe', data: { channel, auth, channel_data: channelData } };
}

export function signin(app: App, socketId: string, user: Record<string, unknown>) {
  const userData = JSON.stringify(user);
  const auth = `${app.key}:${hmacSha256Hex(app.secret, `${socketId}::user::${userData}`)}`;
  return { event: 'pusher:signin', data: { auth, user_data: userData } };
}
