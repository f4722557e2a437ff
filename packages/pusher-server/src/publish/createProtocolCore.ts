import { ConnectionRegistry } from '../protocol/ConnectionRegistry.js';
import type { ProtocolContext } from '../protocol/ProtocolContext.js';
import { PusherProtocol } from '../protocol/PusherProtocol.js';
import { ChannelEventPublisher } from './ChannelEventPublisher.js';
import { TopicFanout, type PublishToTopic } from './TopicFanout.js';

export interface ProtocolCoreOptions extends Omit<ProtocolContext, 'registry'> {
  readonly publishToTopic: PublishToTopic;
}

/**
 * The three parts a message passes through, in one direction: the `publisher` (the HTTP API's
 * way in) → the adapter (this node and the interested peers) → the `fanout` (this node's
 * sockets). The `protocol` handles the sockets and turns the adapter's transitions into frames.
 */
export interface ProtocolCore {
  readonly protocol: PusherProtocol;
  readonly publisher: ChannelEventPublisher;
  readonly fanout: TopicFanout;
}

/** Wires the protocol core around one adapter; start the adapter with `(protocol, fanout)`. */
export function createProtocolCore(options: ProtocolCoreOptions): ProtocolCore {
  const { publishToTopic, ...context } = options;
  const registry = new ConnectionRegistry();
  const fanout = new TopicFanout(registry, publishToTopic);
  const protocol = new PusherProtocol({ ...context, registry, fanout });
  const publisher = new ChannelEventPublisher(context.adapter, {
    channelCacheTtlSec: context.config.channelCacheTtlSec,
    nowMs: context.nowMs,
    debug: context.debug,
  });
  return { protocol, publisher, fanout };
}
