import test from 'ava';
import { brokerAvailable, brokerForFile } from './broker-support/brokers.js';
import { adapterContract } from './cluster-support/adapterContract.js';

// Three nodes that meet only through a redis-server this file starts.
if (brokerAvailable(test, 'redis')) {
  const env: Record<string, string> = {};
  brokerForFile(test, 'redis', env);
  adapterContract(test, { driver: 'redis', nodes: 3, env });
}
