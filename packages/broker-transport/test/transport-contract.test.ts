import test from 'ava';
import { transportContract } from '@meshpush/mesh-transport/testing';
import { BrokerProcess, brokersRequired, missingBrokers, type BrokerKind } from '@meshpush/test-support';
import { BrokerTransport } from '../src/BrokerTransport.js';
import { NatsConnection } from '../src/NatsConnection.js';
import { RedisConnection } from '../src/RedisConnection.js';
import { natsNaming, redisNaming } from '../src/subjects.js';

const TIMING = { checkIntervalMs: 100, nodeTimeoutMs: 3000 };

/** A node over `broker`, not started; each cluster gets its own prefix, so cases never meet. */
function brokerNode(broker: BrokerProcess, prefix: string): BrokerTransport {
  const connection =
    broker.kind === 'nats'
      ? new NatsConnection({ servers: [broker.address], connectTimeoutMs: 2000 })
      : new RedisConnection({ host: '127.0.0.1', port: broker.port, db: 0, connectTimeoutMs: 2000 });
  const naming = broker.kind === 'nats' ? natsNaming(prefix) : redisNaming(`${prefix}:`);
  return new BrokerTransport({ connection, naming, ...TIMING });
}

// The cases the mesh and the memory transport run (packages/mesh-transport), over each broker.
for (const kind of ['nats', 'redis'] as const satisfies readonly BrokerKind[]) {
  const missing = missingBrokers([kind]);
  if (missing !== undefined) {
    if (brokersRequired()) test(`${kind}: transport contract`, (t) => t.fail(missing));
    else test.skip(`${kind}: transport contract skipped: ${missing}`, () => undefined);
    continue;
  }
  let broker: BrokerProcess | undefined;
  let clusters = 0;
  test.before(async () => {
    broker = await BrokerProcess.start(kind);
  });
  test.after.always(() => broker?.kill());
  for (const contractCase of transportContract({
    nodeTimeoutMs: TIMING.nodeTimeoutMs,
    newCluster: () => {
      const prefix = `contract${++clusters}`;
      return {
        node: () => {
          if (!broker) throw new Error(`the ${kind} broker did not start`);
          return brokerNode(broker, prefix);
        },
      };
    },
  })) {
    test(`${kind}: ${contractCase.title}`, (t) => t.notThrowsAsync(contractCase.run()));
  }
}
