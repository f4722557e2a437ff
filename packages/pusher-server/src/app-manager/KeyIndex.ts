import type { AppIdentity } from './AppStore.js';

/**
 * Every app's id and key, re-read at most once per `maxAgeMs`: the negative cache for names
 * never seen. A flood of random keys then costs one index query per `maxAgeMs`, not one per key.
 * When the re-read fails, the previous index keeps answering (stale while error).
 */
export class KeyIndex {
  #keys = new Set<string>();
  #ids = new Set<string>();
  #loadedAtMs: number | undefined;
  #loading: Promise<void> | undefined;
  readonly #load: () => Promise<AppIdentity[]>;
  readonly #now: () => number;

  constructor(load: () => Promise<AppIdentity[]>, nowMs: () => number) {
    this.#load = load;
    this.#now = nowMs;
  }

  /** Whether the name exists; rejects only when there is no index at all and the read fails. */
  async has(kind: 'key' | 'id', value: string, maxAgeMs: number): Promise<boolean> {
    const loadedAt = this.#loadedAtMs;
    if (loadedAt === undefined || this.#now() - loadedAt >= maxAgeMs) {
      try {
        await this.#refresh();
      } catch (error) {
        if (this.#loadedAtMs === undefined) throw error;
      }
    }
    return (kind === 'key' ? this.#keys : this.#ids).has(value);
  }

  /** Every id, read again when the index is older than `maxAgeMs`. */
  async ids(maxAgeMs: number): Promise<string[]> {
    await this.has('id', '', maxAgeMs);
    return [...this.#ids];
  }

  /** Concurrent callers share one read. */
  #refresh(): Promise<void> {
    this.#loading ??= this.#load()
      .then((identities) => {
        this.#keys = new Set(identities.map((identity) => identity.key));
        this.#ids = new Set(identities.map((identity) => identity.id));
        this.#loadedAtMs = this.#now();
      })
      .finally(() => {
        this.#loading = undefined;
      });
    return this.#loading;
  }
}
