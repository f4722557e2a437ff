import test from 'ava';
import type { AppConfig } from '../src/app-manager/App.js';
import type { AppIdentity, AppStore } from '../src/app-manager/AppStore.js';
import { CachingAppManager } from '../src/app-manager/CachingAppManager.js';
import { defaultLimits } from '../src/config/ServerConfig.js';
import type { Logger } from '../src/util/Logger.js';

/** An in-memory database that counts its queries and can be switched off or made to stall. */
class FakeStore implements AppStore {
  readonly driver = 'fake';
  readonly rows = new Map<string, AppConfig>();
  queries = 0;
  /** The size of each `findByIds` call. */
  readonly batches: number[] = [];
  readonly maxIdsPerQuery = 3;
  down = false;
  stall = false;
  /** Held answers, released by `release()` (to prove coalescing). */
  #held: Array<() => void> = [];
  hold = false;

  findByKey(key: string): Promise<AppConfig | undefined> {
    return this.#answer(() => [...this.rows.values()].find((row) => row.key === key));
  }

  findById(id: string): Promise<AppConfig | undefined> {
    return this.#answer(() => this.rows.get(id));
  }

  findByIds(ids: readonly string[]): Promise<ReadonlyMap<string, AppConfig>> {
    this.batches.push(ids.length);
    return this.#answer(() => new Map(ids.flatMap((id) => this.#row(id))));
  }

  identities(): Promise<AppIdentity[]> {
    return this.#answer(() => [...this.rows.values()].map(({ id, key }) => ({ id, key })));
  }

  #row(id: string): Array<[string, AppConfig]> {
    const row = this.rows.get(id);
    return row ? [[id, row]] : [];
  }

  release(): void {
    for (const resume of this.#held.splice(0)) resume();
  }

  #answer<T>(read: () => T): Promise<T> {
    this.queries++;
    if (this.stall) return new Promise<T>(() => undefined);
    const answer = (): Promise<T> =>
      this.down ? Promise.reject(new Error('connection refused')) : Promise.resolve(read());
    if (!this.hold) return answer();
    return new Promise<void>((resume) => this.#held.push(resume)).then(answer);
  }
}

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) };
}

function setup(options: { ttlMs?: number; queryTimeoutMs?: number } = {}) {
  const store = new FakeStore();
  store.rows.set('1', { id: '1', key: 'key-1', secret: 's1' });
  store.rows.set('2', { id: '2', key: 'key-2', secret: 's2', maxConnections: 5 });
  const clock = { now: 1_000_000 };
  const logger = recordingLogger();
  const apps = new CachingAppManager({
    store,
    serverLimits: defaultLimits,
    ttlMs: options.ttlMs ?? 10_000,
    negativeTtlMs: 1_000,
    retryAfterErrorMs: 500,
    queryTimeoutMs: options.queryTimeoutMs ?? 2_000,
    nowMs: () => clock.now,
    logger,
  });
  return { store, clock, apps, logger };
}

test('a found app is served from the cache, synchronously, until the TTL', async (t) => {
  const { store, clock, apps } = setup();
  t.is((await apps.findByKey('key-1'))?.id, '1');
  const queries = store.queries;
  t.is((apps.findByKey('key-1') as { id: string }).id, '1', 'a hit is answered without a promise');
  t.is((apps.findById('1') as { key: string }).key, 'key-1', 'the lookup by key filled the id cache too');
  t.is(store.queries, queries);
  clock.now += 10_000;
  await apps.findByKey('key-1');
  t.is(store.queries, queries + 1, 'read again after the TTL');
  t.true(apps.stats().cacheHits >= 2);
});

test('unknown keys are answered from the id/key index: one query for many random keys', async (t) => {
  const { store, clock, apps } = setup();
  for (let i = 0; i < 1000; i++) t.is(await apps.findByKey(`random-${i}`), undefined);
  t.is(store.queries, 1, 'one index read');
  clock.now += 1_000;
  t.is(await apps.findByKey('random-x'), undefined);
  t.is(store.queries, 2, 'the index is re-read after the negative TTL');
});

test('a new row is found within the negative TTL', async (t) => {
  const { store, clock, apps } = setup();
  t.is(await apps.findByKey('key-3'), undefined);
  store.rows.set('3', { id: '3', key: 'key-3', secret: 's3' });
  t.is(await apps.findByKey('key-3'), undefined, 'still believed absent');
  clock.now += 1_000;
  t.is((await apps.findByKey('key-3'))?.id, '3');
});

test('concurrent misses for one key make one query', async (t) => {
  const { store, apps } = setup();
  await apps.findById('1'); // loads the index
  const before = store.queries;
  store.hold = true;
  const lookups = Array.from({ length: 50 }, () => apps.findByKey('key-2'));
  store.release();
  await new Promise((resolve) => setImmediate(resolve));
  store.release();
  const found = await Promise.all(lookups);
  t.true(found.every((app) => app?.maxConnections === 5));
  t.is(store.queries - before, 1);
});

test('stale while error: known apps keep being served, unknown keys refused, the outage logged once', async (t) => {
  const { store, clock, apps, logger } = setup();
  const known = await apps.findByKey('key-1');
  clock.now += 20_000;
  store.down = true;
  t.is(await apps.findByKey('key-1'), known);
  t.is(await apps.findByKey('key-1'), known);
  t.is(await apps.findByKey('unknown'), undefined);
  t.is(await apps.findById('2'), undefined, 'never seen before the outage');
  t.is(logger.errors.length, 1);
  t.false(apps.stats().databaseUp);
  const queries = store.queries;
  t.is(await apps.findByKey('key-1'), known);
  t.is(store.queries, queries, 'no query while the retry delay runs');
  clock.now += 500;
  store.down = false;
  t.is((await apps.findById('2'))?.id, '2', 'recovers');
  t.true(apps.stats().databaseUp);
  t.is(logger.errors.length, 1);
});

test('a stuck database is a timeout, not a hung lookup', async (t) => {
  const { store, clock, apps } = setup({ queryTimeoutMs: 50 });
  const known = await apps.findByKey('key-1');
  clock.now += 20_000;
  store.stall = true;
  t.is(await apps.findByKey('key-1'), known);
  t.is(await apps.findByKey('nobody'), undefined);
  t.true(apps.stats().errors >= 1);
});

test('revalidate sees a disabled or deleted row at once, and keeps the same object when nothing changed', async (t) => {
  const { store, apps } = setup();
  const first = await apps.findById('1');
  t.is(await apps.revalidate('1'), first, 'unchanged: same object');
  store.rows.set('1', { id: '1', key: 'key-1', secret: 's1', enabled: false });
  t.false((await apps.revalidate('1'))?.enabled);
  t.false((apps.findByKey('key-1') as { enabled: boolean }).enabled, 'the key cache follows');
  store.rows.delete('1');
  t.is(await apps.revalidate('1'), undefined);
  t.is(apps.findByKey('key-1'), undefined, 'a deleted app is not found by its key either');
  store.down = true;
  t.is(await apps.revalidate('2'), undefined, 'never known: nothing to keep');
});

test('revalidate during an outage answers the last known app', async (t) => {
  const { store, apps } = setup();
  const known = await apps.findById('2');
  store.down = true;
  t.is(await apps.revalidate('2'), known);
});

test('stats count lookups, hits, queries and query time', async (t) => {
  const { apps } = setup();
  await apps.findByKey('key-1');
  void apps.findByKey('key-1');
  const stats = apps.stats();
  t.is(stats.driver, 'fake');
  t.is(stats.lookups, 2);
  t.is(stats.cacheHits, 1);
  t.is(stats.queries, 2, 'the index and the row');
  t.true(stats.querySeconds >= 0);
});

test('a flood of unknown keys does not push known apps out of the cache', async (t) => {
  const { store, apps } = setup();
  await apps.findByKey('key-1');
  for (let i = 0; i < 30_000; i++) await apps.findByKey(`flood-${i}`);
  const queries = store.queries;
  t.is((apps.findByKey('key-1') as { id: string } | undefined)?.id, '1', 'still a synchronous hit');
  t.is(store.queries, queries);
});

test('listIds: every id from the index, one query per negative TTL, the last list while the database is down', async (t) => {
  const { apps, store, clock } = setup();
  t.deepEqual((await apps.listIds()).sort(), ['1', '2']);
  const queries = store.queries;
  store.rows.set('3', { id: '3', key: 'key-3', secret: 's3' });
  t.deepEqual((await apps.listIds()).sort(), ['1', '2'], 'within the negative TTL: the same index');
  t.is(store.queries, queries);
  clock.now += 1_000;
  t.deepEqual((await apps.listIds()).sort(), ['1', '2', '3']);
  store.down = true;
  clock.now += 1_000;
  t.deepEqual((await apps.listIds()).sort(), ['1', '2', '3'], 'an outage keeps the last list');
});

test('revalidateMany: one store query for the connected apps, deleted ones undefined, changes applied', async (t) => {
  const { store, apps } = setup();
  store.rows.set('3', { id: '3', key: 'key-3', secret: 's3' });
  const first = await apps.findById('1');
  await apps.findById('3');
  store.rows.set('2', { id: '2', key: 'key-2', secret: 's2', enabled: false });
  store.rows.delete('3');
  const queries = store.queries;
  const found = await apps.revalidateMany(['1', '2', '3']);
  t.is(store.queries - queries, 1, 'three apps, one query');
  t.deepEqual(store.batches, [3]);
  t.is(found.get('1'), first, 'unchanged: same object');
  t.false(found.get('2')?.enabled);
  t.true(found.has('3'));
  t.is(found.get('3'), undefined, 'deleted');
  t.is(apps.findByKey('key-3'), undefined, 'a deleted app is not found by its key either');
  t.is(apps.stats().queries - queries, 1, 'counted once');
});

test('revalidateMany splits more ids than maxIdsPerQuery into one query per chunk', async (t) => {
  const { store, apps } = setup();
  const ids = Array.from({ length: 7 }, (_, i) => String(i + 1));
  for (const id of ids) store.rows.set(id, { id, key: `key-${id}`, secret: 's' });
  const found = await apps.revalidateMany(ids);
  t.deepEqual(store.batches, [3, 3, 1]);
  t.deepEqual([...found.keys()], ids);
  t.true([...found.values()].every((app) => app !== undefined));
  t.is(await apps.revalidateMany([]).then((none) => none.size), 0);
  t.deepEqual(store.batches, [3, 3, 1], 'no ids, no query');
});

test('revalidateMany during an outage keeps the known apps and logs the outage once', async (t) => {
  const { store, apps, logger } = setup();
  const known = await apps.findById('1');
  store.down = true;
  const first = await apps.revalidateMany(['1', '2']);
  t.is(first.get('1'), known, 'kept, not treated as deleted');
  t.false(first.has('2'), 'not cached: left out, so its sockets are not closed as if it were deleted');
  const again = await apps.revalidateMany(['1']);
  t.is(again.get('1'), known);
  t.is(logger.errors.length, 1, 'one log line for the outage');
  t.false(apps.stats().databaseUp);
  t.is(apps.stats().errors, 2, 'each failed batch counted');
  store.down = false;
  t.is((await apps.revalidateMany(['1'])).get('1'), known);
  t.true(apps.stats().databaseUp);
});

test('revalidateMany on a store without findByIds reads one id at a time', async (t) => {
  const { store } = setup();
  const single: AppStore = {
    driver: 'single',
    findByKey: (key) => store.findByKey(key),
    findById: (id) => store.findById(id),
    identities: () => store.identities(),
  };
  const manager = new CachingAppManager({ store: single, serverLimits: defaultLimits });
  store.rows.delete('2');
  const queries = store.queries;
  const found = await manager.revalidateMany(['1', '2']);
  t.is(store.queries - queries, 2);
  t.deepEqual(store.batches, []);
  t.is(found.get('1')?.key, 'key-1');
  t.is(found.get('2'), undefined);
});
