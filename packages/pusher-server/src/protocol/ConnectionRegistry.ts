import type { Connection } from './Connection.js';

/**
 * This process's open connections, indexed the ways the protocol looks them up:
 * by socket id (exclusion, closing), by signed-in user (termination) and by watched user
 * (watchlist events).
 */
export class ConnectionRegistry {
  readonly #byId = new Map<string, Connection>();
  readonly #byUser = new Map<string, Set<Connection>>();
  readonly #watchers = new Map<string, Set<Connection>>();

  get size(): number {
    return this.#byId.size;
  }

  add(connection: Connection): void {
    this.#byId.set(connection.id, connection);
  }

  get(socketId: string): Connection | undefined {
    return this.#byId.get(socketId);
  }

  all(): IterableIterator<Connection> {
    return this.#byId.values();
  }

  remove(connection: Connection): void {
    this.#byId.delete(connection.id);
    if (connection.userId !== undefined) {
      removeFromIndex(this.#byUser, userKey(connection.app.id, connection.userId), connection);
    }
    for (const watched of connection.watchlist) {
      removeFromIndex(this.#watchers, userKey(connection.app.id, watched), connection);
    }
  }

  /** Records a sign-in: the user's connections and whom the connection watches. */
  signedIn(connection: Connection, userId: string, watchlist: readonly string[]): void {
    addToIndex(this.#byUser, userKey(connection.app.id, userId), connection);
    for (const watched of watchlist) addToIndex(this.#watchers, userKey(connection.app.id, watched), connection);
  }

  connectionsOfUser(appId: string, userId: string): Connection[] {
    return [...(this.#byUser.get(userKey(appId, userId)) ?? [])];
  }

  watchersOf(appId: string, userId: string): ReadonlySet<Connection> {
    return this.#watchers.get(userKey(appId, userId)) ?? EMPTY;
  }
}

const EMPTY: ReadonlySet<Connection> = new Set();

function userKey(appId: string, userId: string): string {
  return `${appId}\u001f${userId}`;
}

function addToIndex(index: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(connection);
}

function removeFromIndex(index: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(connection);
  if (set.size === 0) index.delete(key);
}
