import test, { type ExecutionContext } from 'ava';
import { BrokerTransport } from '../src/BrokerTransport.js';
import type { BrokerConnection } from '../src/BrokerConnection.js';
import { NatsConnection } from '../src/NatsConnection.js';
import { RedisConnection } from '../src/RedisConnection.js';
import { natsNaming, redisNaming } from '../src/subjects.js';
import {
  BrokerProcess,
  brokersRequired,
  freePort,
  missingBrokers,
  waitFor,
  type BrokerKind,
} from '@meshpush/test-support';

/** Short timings for the liveness tests; the others use STEADY so a loaded machine cannot make links flap. */
const FAST = { checkIntervalMs: 50, nodeTimeoutMs: 400 };
const STEADY = { checkIntervalMs: 100, nodeTimeoutMs: 3000 };

function connectionTo(broker: BrokerProcess, credentials: { user?: string; password?: string } = {}): BrokerConnection {
  if (broker.kind === 'nats')
    return new NatsConnection({ servers: [broker.address], ...credentials, connectTimeoutMs: 2000 });
  return new RedisConnection({
    host: '127.0.0.1',
    port: broker.port,
    db: 0,
    password: credentials.password,
    connectTimeoutMs: 2000,
  });
}

async function node(
  t: ExecutionContext,
  broker: BrokerProcess,
  connection = connectionTo(broker),
  timing = STEADY,
): Promise<BrokerTransport> {
  const naming = broker.kind === 'nats' ? natsNaming('test') : redisNaming('test:');
  const transport = new BrokerTransport({ connection, naming, ...timing });
  await transport.start();
  t.teardown(() => transport.close());
  return transport;
}

async function until(condition: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  await waitFor(condition, { timeoutMs, message: what, intervalMs: 10 });
}

/** `promise`, or a rejection naming `what` after `timeoutMs`: a lost message fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function record(transport: BrokerTransport): string[] {
  const log: string[] = [];
  transport.on('peer-up', (id) => log.push(`up ${id}`));
  transport.on('peer-down', (id) => log.push(`down ${id}`));
  transport.on('message', (subject, payload, from) =>
    log.push(`message ${subject} ${JSON.stringify(payload)} ${from}`),
  );
  transport.on('broadcast', (topic, payload, from) =>
    log.push(`broadcast ${topic} ${JSON.stringify(payload)} ${from}`),
  );
  return log;
}

const linked = (a: BrokerTransport, b: BrokerTransport) => () =>
  a.peers().includes(b.nodeId) && b.peers().includes(a.nodeId);

for (const kind of ['nats', 'redis'] as const satisfies readonly BrokerKind[]) {
  const missing = missingBrokers([kind]);
  if (missing !== undefined) {
    if (brokersRequired()) test(`${kind} transport: broker binary`, (t) => t.fail(missing));
    else test.skip(`${kind} transport tests skipped: ${missing}`, () => undefined);
    continue;
  }

  test.serial(
    `${kind}: two nodes link, then exchange broadcasts, sendTo and interest-routed publishes in order`,
    async (t) => {
      const broker = await BrokerProcess.start(kind);
      t.teardown(() => broker.kill());
      const a = await node(t, broker);
      const logA = record(a);
      const b = await node(t, broker);
      const logB = record(b);
      await until(linked(a, b), 'a link');
      t.deepEqual(logA, [`up ${b.nodeId}`]);
      t.deepEqual(logB, [`up ${a.nodeId}`]);

      b.subscribe('app\u001fnews.eu*>');
      b.subscribe('app\u001fnews.eu*>');
      await b.request(a.nodeId, 'no-handler', null, 2000); // a round trip: the broker has the subscription
      a.publish('app\u001fquiet', 'nobody listens');
      a.publish('app\u001fnews.eu*>', { n: 1, bytes: Buffer.from([1, 2, 3]) });
      a.broadcast('topic', [1, 'two']);
      t.true(a.sendTo(b.nodeId, 'direct', null));
      t.false(a.sendTo('nobody', 'direct', null));
      await until(() => logB.length === 4, 'three deliveries');
      t.deepEqual(logB.slice(1), [
        `message app\u001fnews.eu*> {"n":1,"bytes":{"type":"Buffer","data":[1,2,3]}} ${a.nodeId}`,
        `broadcast topic [1,"two"] ${a.nodeId}`,
        `broadcast direct null ${a.nodeId}`,
      ]);
      t.deepEqual(logA, [`up ${b.nodeId}`], 'nothing comes back to the sender');

      b.unsubscribe('app\u001fnews.eu*>');
      a.publish('app\u001fnews.eu*>', 'still one interest');
      a.broadcast('marker', 1);
      await until(() => logB.at(-1)?.startsWith('broadcast marker 1') === true, 'the first marker');
      b.unsubscribe('app\u001fnews.eu*>');
      await b.request(a.nodeId, 'no-handler', null, 2000); // a round trip: the broker has the unsubscribe
      a.publish('app\u001fnews.eu*>', 'no interest left');
      a.broadcast('marker', 2);
      await until(() => logB.at(-1)?.startsWith('broadcast marker 2') === true, 'the second marker');
      t.is(
        logB.filter((l) => l.startsWith('message')).length,
        2,
        'delivered while subscribed, not after the last unsubscribe',
      );
    },
  );

  test.serial(`${kind}: a publish sent the moment interestBarrier settles reaches the new subscriber`, async (t) => {
    const broker = await BrokerProcess.start(kind);
    t.teardown(() => broker.kill());
    const a = await node(t, broker);
    const b = await node(t, broker);
    await until(linked(a, b), 'a link');
    const received: unknown[] = [];
    b.on('message', (_subject, payload) => received.push(payload));
    for (let i = 0; i < 20; i++) {
      b.subscribe(`app\u001ffresh-${i}`);
      await b.interestBarrier(5000);
      a.publish(`app\u001ffresh-${i}`, i);
    }
    await until(() => received.length === 20, 'twenty deliveries');
    t.deepEqual(
      received,
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  test.serial(
    `${kind}: requests get one reply per peer, handler errors are replies, and large payloads are chunked`,
    async (t) => {
      const broker = await BrokerProcess.start(kind);
      t.teardown(() => broker.kill());
      const [a, b, c] = [await node(t, broker), await node(t, broker), await node(t, broker)];
      await until(() => a.peers().length === 2 && b.peers().length === 2 && c.peers().length === 2, 'three links each');
      b.handle('echo', (payload, from) => ({ payload, from }));
      c.handle('echo', () => {
        throw new Error('c refuses');
      });
      const replies = await a.request('all', 'echo', 'hi', 2000);
      t.deepEqual(
        replies.sort((x, y) => x.nodeId.localeCompare(y.nodeId)),
        [
          { nodeId: b.nodeId, ok: true, payload: { payload: 'hi', from: a.nodeId } },
          { nodeId: c.nodeId, ok: false, error: 'c refuses' },
        ].sort((x, y) => x.nodeId.localeCompare(y.nodeId)),
      );

      const big = 'x'.repeat(kind === 'nats' ? 3 * 1024 * 1024 : 2 * 1024 * 1024);
      const got = new Promise<unknown>((resolve) =>
        b.on('broadcast', (topic, payload) => topic === 'big' && resolve(payload)),
      );
      t.true(a.sendTo(b.nodeId, 'big', big));
      t.is(await within(got, 'the chunked payload'), big);
    },
  );

  test.serial(`${kind}: a silent node is down after the node timeout; a leaving one at once (BYE)`, async (t) => {
    const broker = await BrokerProcess.start(kind);
    t.teardown(() => broker.kill());
    const a = await node(t, broker, connectionTo(broker), FAST);
    const silentConnection = connectionTo(broker);
    const silent = await node(t, broker, silentConnection, FAST);
    const leaving = await node(t, broker, connectionTo(broker), FAST);
    await until(() => a.peers().length === 2, 'two peers');
    const downs: Array<[string, string, number]> = [];
    a.on('peer-down', (id, reason) => downs.push([id, reason, Date.now()]));

    const silencedAt = Date.now();
    await silentConnection.close(); // no BYE: as if the process froze
    await until(() => downs.length === 1, 'the silent node to go down');
    const [silentId, reason, at] = downs[0]!;
    t.is(silentId, silent.nodeId);
    t.regex(reason, /silent for/);
    t.true(at - silencedAt >= FAST.nodeTimeoutMs - FAST.checkIntervalMs, `down after ${at - silencedAt} ms`);

    const leftAt = Date.now();
    await leaving.close();
    await until(() => downs.length === 2, 'the leaving node to go down');
    t.is(downs[1]![0], leaving.nodeId);
    t.is(downs[1]![1], 'left the cluster');
    t.true(downs[1]![2] - leftAt < FAST.nodeTimeoutMs, 'BYE is faster than the timeout');
    t.deepEqual(a.peers(), []);
  });

  test.serial(
    `${kind}: after a broker restart both nodes reconnect, relink (down, then up) and resubscribe`,
    async (t) => {
      const broker = await BrokerProcess.start(kind);
      t.teardown(() => broker.kill());
      const a = await node(t, broker);
      const b = await node(t, broker);
      const logA = record(a);
      await until(linked(a, b), 'a link');
      b.subscribe('app\u001fkept');
      await broker.kill();
      await until(() => a.unavailableReason() !== undefined && b.unavailableReason() !== undefined, 'both to notice');
      t.regex(a.unavailableReason() ?? '', new RegExp(`${kind} connection to .* lost`));
      t.deepEqual(a.peers(), [], 'peers are dropped while cut off');
      await broker.restart();
      await until(
        () => a.unavailableReason() === undefined && b.unavailableReason() === undefined,
        'both to reconnect',
        15_000,
      );
      await until(linked(a, b), 'a new link');
      t.deepEqual(
        logA.filter((l) => !l.startsWith('message')),
        [`up ${b.nodeId}`, `down ${b.nodeId}`, `up ${b.nodeId}`],
      );
      const got = new Promise((resolve) => b.on('message', (subject, payload) => resolve([subject, payload])));
      a.publish('app\u001fkept', 'after restart');
      t.deepEqual(await within(got, 'a publish after the restart'), ['app\u001fkept', 'after restart']);
    },
  );

  if (kind === 'nats') {
    test.serial(
      'nats: token authentication (ADAPTER_NATS_TOKEN): the right token links, a wrong one is a clear error',
      async (t) => {
        const broker = await BrokerProcess.start('nats', { token: 's3cret-token' });
        t.teardown(() => broker.kill());
        const withToken = (token: string) =>
          new NatsConnection({ servers: [broker.address], token, connectTimeoutMs: 2000 });
        const a = await node(t, broker, withToken('s3cret-token'));
        const b = await node(t, broker, withToken('s3cret-token'));
        await until(linked(a, b), 'a link over a token-authenticated connection');
        const refused = new BrokerTransport({ connection: withToken('wrong'), naming: natsNaming(''), ...FAST });
        const error = await t.throwsAsync(() => refused.start());
        t.regex(error?.message ?? '', /cannot connect to NATS .*ADAPTER_NATS_TOKEN/i);
        t.notRegex(error?.message ?? '', /wrong/);
      },
    );
  }

  test.serial(`${kind}: an unreachable broker rejects start with a clear message`, async (t) => {
    const port = await freePort();
    const connection =
      kind === 'nats'
        ? new NatsConnection({ servers: [`127.0.0.1:${port}`], connectTimeoutMs: 2000 })
        : new RedisConnection({ host: '127.0.0.1', port, db: 0, connectTimeoutMs: 2000 });
    const transport = new BrokerTransport({ connection, naming: natsNaming(''), ...FAST });
    const error = await t.throwsAsync(() => transport.start());
    t.regex(
      error?.message ?? '',
      new RegExp(
        `cannot connect to ${kind === 'nats' ? 'NATS' : 'Redis'} at 127\\.0\\.0\\.1:${port}.*(refused|running)`,
        'i',
      ),
    );
  });

  test.serial(`${kind}: wrong credentials reject start with a clear message`, async (t) => {
    const broker = await BrokerProcess.start(kind, { user: 'meshpush', password: 'right' });
    t.teardown(() => broker.kill());
    const connection = connectionTo(broker, { user: 'meshpush', password: 'wrong' });
    const transport = new BrokerTransport({ connection, naming: natsNaming(''), ...FAST });
    const error = await t.throwsAsync(() => transport.start());
    t.regex(
      error?.message ?? '',
      kind === 'nats'
        ? /cannot connect to NATS .*(authorization|auth).*ADAPTER_NATS_USER/i
        : /cannot connect to Redis .*WRONGPASS.*DB_REDIS_PASSWORD/i,
    );
  });
}
