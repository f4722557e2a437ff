import test from 'ava';
import { brokerFailover } from './broker-support/brokerFailover.js';
import { brokerAvailable } from './broker-support/brokers.js';

// Each test starts its own nats-server and three nodes; serial keeps the 2-core machine from being swamped.
if (brokerAvailable(test, 'nats')) brokerFailover(test, 'nats');
