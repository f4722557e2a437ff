import { LRUCache } from 'lru-cache';
import type { CachedEvent } from './Adapter.js';

/** The last event of each cache channel, bounded in count and dropped once expired. */
export class EventCache {
  readonly #entries: LRUCache<string, CachedEvent>;
  readonly #nowMs: () => number;

  constructor(maxChannels: number, nowMs: () => number) {
    this.#entries = new LRUCache({ max: maxChannels });
    this.#nowMs = nowMs;
  }

  set(appId: string, channel: string, event: CachedEvent): void {
    if (event.expiresAtMs > this.#nowMs()) this.#entries.set(key(appId, channel), event);
  }

  get(appId: string, channel: string): CachedEvent | undefined {
    const entryKey = key(appId, channel);
    const event = this.#entries.get(entryKey);
    if (event && event.expiresAtMs <= this.#nowMs()) {
      this.#entries.delete(entryKey);
      return undefined;
    }
    return event;
  }

  /** Live entries as `[appId, channel, event]`, for a joining node's snapshot. */
  *entries(): Generator<[appId: string, channel: string, event: CachedEvent]> {
    const now = this.#nowMs();
    for (const [entryKey, event] of this.#entries.entries()) {
      if (event.expiresAtMs <= now) continue;
      const separator = entryKey.indexOf(SEPARATOR);
      yield [entryKey.slice(0, separator), entryKey.slice(separator + 1), event];
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}

const SEPARATOR = '\u001f';

function key(appId: string, channel: string): string {
  return `${appId}${SEPARATOR}${channel}`;
}
