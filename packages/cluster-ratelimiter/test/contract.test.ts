import test from 'ava';
import { ClusterRateLimiter, LocalRateLimiter } from '../src/index.js';
import { rateLimiterContract } from './contract/rateLimiterContract.js';
import { MemoryNetwork } from '@meshpush/mesh-transport/testing';

rateLimiterContract(test, 'local', (clock, burstSeconds) => new LocalRateLimiter({ now: clock.now, burstSeconds }));

rateLimiterContract(test, 'cluster (alone)', (clock, burstSeconds) => {
  const transport = new MemoryNetwork().join();
  return new ClusterRateLimiter(transport, { now: clock.now, burstSeconds, syncIntervalMs: 60_000 });
});
