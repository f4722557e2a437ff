import test from 'ava';
import { Mesh } from '../src/Mesh.js';
import { MemoryNetwork } from '../src/testing/MemoryTransport.js';
import { transportContract } from '../src/testing/transportContract.js';
import { freePort } from '@meshpush/test-support';

const TIMING = { checkIntervalMs: 100, nodeTimeoutMs: 2000, masterTimeoutMs: 500 };

// The same cases as the broker transports run (packages/broker-transport), here on the TCP mesh
// (every node on one rendezvous port of 127.0.0.1, a fresh port per case) and in memory.
for (const contractCase of transportContract({
  nodeTimeoutMs: TIMING.nodeTimeoutMs,
  newCluster: async () => {
    const port = await freePort();
    return { node: () => new Mesh({ host: '127.0.0.1', port, ...TIMING }) };
  },
})) {
  test(`mesh: ${contractCase.title}`, (t) => t.notThrowsAsync(contractCase.run()));
}

for (const contractCase of transportContract({
  nodeTimeoutMs: TIMING.nodeTimeoutMs,
  newCluster: () => {
    const network = new MemoryNetwork();
    return { node: () => network.create() };
  },
})) {
  test(`memory: ${contractCase.title}`, (t) => t.notThrowsAsync(contractCase.run()));
}
