import { Lab } from '/work/main/tools/netlab/src/Lab.ts';
import { startMeshNode } from '/work/main/tools/netlab/src/meshNode.ts';
import { ClientDriver } from '/work/main/tools/netlab/src/ClientDriver.ts';
const lab = await Lab.create({ servers: ['a', 'b', 'c'] });
try {
  const t0 = Date.now();
  const nodes = await Promise.all(['a','b','c'].map((h) => startMeshNode(lab, h)));
  console.log('started', Date.now() - t0);
  const driver = await ClientDriver.start(lab);
  console.log('driver', Date.now() - t0);
  for (let i = 0; i < 20; i++) {
    const peers = await Promise.all(nodes.map(async (n) => ((await driver.call<any>('get', { address: n.host.address, path: '/cluster' })).body.transport.peers.length)));
    console.log(Date.now() - t0, peers);
    if (peers.every((p) => p === 2)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(await driver.call('open', { name: 'x', address: '198.18.0.1', user: 'u1' }));
  console.log(await driver.call('subscribe', { name: 'x', channel: 'presence-p' }));
  console.log(await driver.call('members', { name: 'x', channel: 'presence-p' }));
  console.log(JSON.stringify(await driver.call('rest', { address: '198.18.0.2', path: '/channels/presence-p/users' })));
  await driver.close();
  console.log(nodes[0]!.process.output().slice(0, 1500));
} finally { await lab.destroy(); }
