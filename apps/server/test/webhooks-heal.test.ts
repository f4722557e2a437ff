import test from 'ava';
import { brokerAvailable, brokerForFile } from './broker-support/brokers.js';
import { pausedNodeComesBack } from './webhooks-heal-support.js';
import { startReceiver } from './webhooks-support.js';

test('mesh: a node paused past the node timeout and resumed is announced gone, then back', async (t) => {
  await pausedNodeComesBack(t, await startReceiver(t), { driver: 'cluster' });
});

if (brokerAvailable(test, 'nats')) {
  const env: Record<string, string> = {};
  brokerForFile(test, 'nats', env);
  test('nats: a node paused past the node timeout and resumed is announced gone, then back', async (t) => {
    await pausedNodeComesBack(t, await startReceiver(t), { driver: 'nats', env });
  });
}
