import type { LocalFanout } from '../adapter/Adapter.js';
import type { ConnectionRegistry } from '../protocol/ConnectionRegistry.js';
import { channelKey } from '../util/channelKey.js';

/** Sends a frame to every local subscriber of a uWS topic (`app.publish`); `appId` is for metrics. */
export type PublishToTopic = (topic: string, frame: string, appId: string) => void;

/**
 * The last step of every message: a channel's subscribers in this process, through uWS's native
 * topics, so a frame is serialised once and fanned out in C++. The adapter hands it what reaches
 * this node, whichever node published it.
 */
export class TopicFanout implements LocalFanout {
  readonly #registry: ConnectionRegistry;
  readonly #publishToTopic: PublishToTopic;

  constructor(registry: ConnectionRegistry, publishToTopic: PublishToTopic) {
    this.#registry = registry;
    this.#publishToTopic = publishToTopic;
  }

  publishLocal(appId: string, channel: string, frame: string, exceptSocketId?: string): void {
    const topic = channelKey(appId, channel);
    const excluded = exceptSocketId === undefined ? undefined : this.#registry.get(exceptSocketId);
    // uWS excludes a sender only from a topic it is in; a socket outside the topic needs no exclusion.
    if (excluded && !excluded.closed && excluded.channels.get(channel)?.inTopic) {
      excluded.socket.publishToOthers(topic, frame);
    } else this.#publishToTopic(topic, frame, appId);
  }
}
