import test from 'ava';
import { brokerAvailable, brokerForFile } from './broker-support/brokers.js';
import { adapterContract } from './cluster-support/adapterContract.js';

// Three nodes that meet only through a nats-server this file starts.
if (brokerAvailable(test, 'nats')) {
  const env: Record<string, string> = {};
  brokerForFile(test, 'nats', env);
  adapterContract(test, { driver: 'nats', nodes: 3, env });
}
