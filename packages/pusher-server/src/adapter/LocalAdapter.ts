import type { Adapter, AdapterListener, AdapterStatus, CachedEvent, LocalFanout, PresenceMember } from './Adapter.js';
import { ViewAdapter, type ViewAdapterOptions } from './ViewAdapter.js';

/** Options of a {@link LocalAdapter}: those of every view adapter. */
export type LocalAdapterOptions = ViewAdapterOptions;

/** The only part a local adapter's view has. */
const THIS_PROCESS = 'local';

/**
 * The single-process adapter: membership in memory, delivery through the local fan-out only.
 * With it one process is a complete Pusher server. It is the cluster view with one part, so
 * it reports transitions exactly as the cluster adapter does.
 */
export class LocalAdapter extends ViewAdapter implements Adapter {
  readonly driver = 'local';
  readonly nodeId = THIS_PROCESS;
  /** One process has no peers. */
  readonly peerChange = undefined;
  #listener: AdapterListener | undefined;
  #fanout: LocalFanout | undefined;

  async start(listener: AdapterListener, fanout: LocalFanout): Promise<void> {
    this.#listener = listener;
    this.#fanout = fanout;
    this.createView(listener);
  }

  async close(): Promise<void> {
    this.cache.clear();
  }

  addSubscriber(appId: string, channel: string, socketId: string, member?: PresenceMember): void {
    this.requireView().subscribe(THIS_PROCESS, appId, channel, socketId, member, socketId);
  }

  removeSubscriber(appId: string, channel: string, socketId: string): void {
    this.requireView().unsubscribe(THIS_PROCESS, appId, channel, socketId);
  }

  addUser(appId: string, userId: string, socketId: string): void {
    this.requireView().userOnline(THIS_PROCESS, appId, userId, socketId);
  }

  removeUser(appId: string, userId: string, socketId: string): void {
    this.requireView().userOffline(THIS_PROCESS, appId, userId, socketId);
  }

  publish(appId: string, channel: string, frame: string, exceptSocketId?: string): void {
    this.#fanout?.publishLocal(appId, channel, frame, exceptSocketId);
  }

  setCachedEvent(appId: string, channel: string, event: CachedEvent): void {
    this.cache.set(appId, channel, event);
  }

  terminateUser(appId: string, userId: string): void {
    this.#listener?.terminateLocalUser(appId, userId);
  }

  countConnection(appId: string, delta: 1 | -1): void {
    const view = this.requireView();
    view.setConnections(THIS_PROCESS, appId, view.connectionCount(appId) + delta);
  }

  liveNodeIds(): readonly string[] {
    return [THIS_PROCESS];
  }

  status(): AdapterStatus {
    return { driver: this.driver };
  }
}
