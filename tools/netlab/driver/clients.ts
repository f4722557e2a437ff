import { Agent } from 'node:http';
import { createRequire } from 'node:module';
import Pusher from 'pusher';
import type * as PusherJs from 'pusher-js';

/** The default app of a server started with no DEFAULT_APP_* settings. */
export const APP = Object.freeze({ appId: 'app-id', key: 'app-key', secret: 'app-secret' });
export const SERVER_PORT = 6001;

type PusherClient = PusherJs.default;
type PusherClientClass = new (key: string, options: PusherJs.Options) => PusherClient;
// pusher-js is CommonJS whose typings declare an ES default export; require gives the class.
const PusherClientClass = createRequire(import.meta.url)('pusher-js') as PusherClientClass;

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/** A `pusher` SDK for the server at `address`; requests give up after `timeoutMs`. */
export function sdkFor(address: string, timeoutMs = 2000): Pusher {
  return new Pusher({ ...APP, host: address, port: String(SERVER_PORT), useTLS: false, timeout: timeoutMs, agent });
}

/** What a presence channel told one client: its members and every transition, in order. */
export interface PresenceLog {
  added: string[];
  removed: string[];
}

/** A pusher-js client in the client host, connected to one server host. */
export class DriverClient {
  readonly pusher: PusherClient;
  readonly presence = new Map<string, PresenceLog>();
  /** Payloads received per `channel event` key, for the events that are listened to. */
  readonly #events = new Map<string, unknown[]>();

  constructor(address: string, user: string | undefined) {
    const sdk = sdkFor(address);
    this.pusher = new PusherClientClass(APP.key, {
      cluster: 'mt1',
      wsHost: address,
      wsPort: SERVER_PORT,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      channelAuthorization: {
        customHandler: (
          { socketId, channelName }: { socketId: string; channelName: string },
          callback: (e: Error | null, a: unknown) => void,
        ) =>
          callback(
            null,
            channelName.startsWith('presence-')
              ? sdk.authorizeChannel(socketId, channelName, { user_id: user ?? socketId, user_info: {} })
              : sdk.authorizeChannel(socketId, channelName),
          ),
      },
    } as unknown as PusherJs.Options);
  }

  connected(timeoutMs: number): Promise<void> {
    return untilTrue(() => this.pusher.connection.state === 'connected', timeoutMs, 'connection');
  }

  /** Subscribes and resolves on `pusher:subscription_succeeded`, recording presence transitions. */
  subscribe(channelName: string, timeoutMs: number): Promise<void> {
    const channel = this.pusher.subscribe(channelName);
    if (channelName.startsWith('presence-')) {
      const log: PresenceLog = { added: [], removed: [] };
      this.presence.set(channelName, log);
      channel.bind('pusher:member_added', (member: { id: string }) => log.added.push(member.id));
      channel.bind('pusher:member_removed', (member: { id: string }) => log.removed.push(member.id));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no subscription_succeeded for ${channelName} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      channel.bind('pusher:subscription_succeeded', () => {
        clearTimeout(timer);
        resolve();
      });
      channel.bind('pusher:subscription_error', (error: unknown) => {
        clearTimeout(timer);
        reject(new Error(`subscription to ${channelName} failed: ${JSON.stringify(error)}`));
      });
    });
  }

  /** Member ids this client's pusher-js shows for a presence channel, sorted. */
  members(channelName: string): string[] {
    const channel = this.pusher.channel(channelName) as unknown as {
      members?: { each(fn: (m: { id: string }) => void): void };
    };
    const ids: string[] = [];
    channel?.members?.each((member) => ids.push(member.id));
    return ids.sort();
  }

  /** Starts recording `event` on a subscribed channel. */
  listen(channelName: string, event: string): void {
    const received: unknown[] = [];
    this.#events.set(`${channelName} ${event}`, received);
    this.bindEvent(channelName, event, (data) => received.push(data));
  }

  /** Payloads of `event` received since `listen`, in order. */
  received(channelName: string, event: string): unknown[] {
    return this.#events.get(`${channelName} ${event}`) ?? [];
  }

  bindEvent(channelName: string, event: string, onEvent: (data: unknown) => void): void {
    this.pusher.channel(channelName)?.bind(event, onEvent);
  }

  close(): void {
    this.pusher.disconnect();
  }
}

/** Resolves once `check()` is true, polling every 20 ms; rejects at the deadline. */
export async function untilTrue(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
