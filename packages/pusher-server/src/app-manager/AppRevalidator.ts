import type { Logger } from '../util/Logger.js';
import type { App } from './App.js';
import type { AppManager } from './AppManager.js';

type Revalidate<In, Out> = (input: In) => Promise<Out>;

/** The sockets' side: which apps have open sockets, and what to do when one changed. */
export interface RevalidationTarget {
  connectedAppIds(): Set<string>;
  /** Each app re-read, as it is now (`undefined`: deleted). */
  appsChanged(changes: ReadonlyMap<string, App | undefined>): void;
}

/**
 * Re-reads, every `revalidateIntervalMs`, the apps that have open sockets on this process, so a
 * row changed or disabled in the database reaches sockets that connected before the change (new
 * connections see it through the cache's TTL). Each node of a cluster runs its own: every node
 * closes its own sockets. With `revalidateMany` a pass is one batch (for the caching manager, one
 * query per hundred or more apps); otherwise one `revalidate` per connected app. Other apps cost
 * nothing.
 */
export class AppRevalidator {
  readonly #apps: AppManager;
  readonly #target: RevalidationTarget;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(apps: AppManager, target: RevalidationTarget, logger: Logger) {
    this.#apps = apps;
    this.#target = target;
    this.#logger = logger;
  }

  /** Does nothing for managers whose apps never change (neither `revalidate` nor `revalidateMany`). */
  start(): void {
    const interval = this.#apps.revalidateIntervalMs;
    if ((!this.#apps.revalidate && !this.#apps.revalidateMany) || interval === undefined || this.#timer) return;
    this.#timer = setInterval(() => void this.tick(), interval);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One pass (a pass still running is not doubled). */
  tick(): Promise<void> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<void> {
    const ids = [...this.#target.connectedAppIds()];
    if (ids.length === 0) return;
    const changes = await this.#reread(ids);
    if (changes.size > 0) this.#target.appsChanged(changes);
  }

  /** Empty when the manager cannot re-read: an app left out keeps its sockets, `undefined` would close them. */
  #reread(ids: string[]): Promise<ReadonlyMap<string, App | undefined>> {
    const many = this.#apps.revalidateMany?.bind(this.#apps);
    if (many) return this.#batch(ids, many);
    const one = this.#apps.revalidate?.bind(this.#apps);
    return one ? this.#oneByOne(ids, one) : Promise.resolve(new Map());
  }

  async #batch(ids: string[], revalidateMany: Revalidate<string[], Map<string, App | undefined>>) {
    try {
      return await revalidateMany(ids);
    } catch (error) {
      // The manager answers outages with the last known apps; anything else is a bug to see.
      this.#logger.warn('app revalidation failed', { apps: ids.length, error: String(error) });
      return new Map<string, App | undefined>();
    }
  }

  async #oneByOne(ids: string[], revalidate: Revalidate<string, App | undefined>) {
    const changes = new Map<string, App | undefined>();
    for (const appId of ids) {
      try {
        changes.set(appId, await revalidate(appId));
      } catch (error) {
        this.#logger.warn('app revalidation failed', { appId, error: String(error) });
      }
    }
    return changes;
  }
}
