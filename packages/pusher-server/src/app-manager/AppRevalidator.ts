import type { Logger } from '../util/Logger.js';
import type { App } from './App.js';
import type { AppManager } from './AppManager.js';

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
 * closes its own sockets. One query per connected app per interval; nothing for other apps.
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

  /** Does nothing for managers whose apps never change (no `revalidate`). */
  start(): void {
    const interval = this.#apps.revalidateIntervalMs;
    if (!this.#apps.revalidate || interval === undefined || this.#timer) return;
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
    const revalidate = this.#apps.revalidate?.bind(this.#apps);
    if (!revalidate) return;
    const changes = new Map<string, App | undefined>();
    for (const appId of this.#target.connectedAppIds()) {
      try {
        changes.set(appId, await revalidate(appId));
      } catch (error) {
        // The manager answers outages with the last known app; anything else is a bug to see.
        this.#logger.warn('app revalidation failed', { appId, error: String(error) });
      }
    }
    if (changes.size > 0) this.#target.appsChanged(changes);
  }
}
