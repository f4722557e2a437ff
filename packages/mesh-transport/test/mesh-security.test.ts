import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import test from 'ava';
import { createFrameEncoderCbor, encodeFrame, FrameType } from '../src/frames.js';
import { fastTimers, MeshChild, startNodes, waitForFullMesh } from './support/MeshChild.js';
import { freePort } from './support/ports.js';
import { waitFor } from './support/waitFor.js';

function openRaw(port: number): { socket: Socket; closed: Promise<void> } {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  socket.resume();
  return { socket, closed: new Promise((resolve) => socket.once('close', () => resolve())) };
}

test.serial('a node with a wrong secret is refused, with a logged reason on both sides', async (t) => {
  const port = await freePort();
  const nodes = await startNodes(t, 3, { host: '127.0.0.1', port, secret: 'right', ...fastTimers });
  await waitForFullMesh(nodes, 20_000);
  const intruder = await MeshChild.start(t, { host: '127.0.0.1', port, secret: 'wrong', ...fastTimers });
  const stats = await Promise.all(nodes.map((node) => node.stats()));
  const holder = nodes[stats.findIndex((s) => s.holdsRendezvous)]!;
  await waitFor(async () => (await holder.stats()).refusedRoutes > 0, 10_000, 'the intruder was not refused');
  await waitFor(
    () => intruder.logs('warn').some((log) => log.message.includes('refused')),
    10_000,
    'the intruder logged no refusal',
  );
  const reasons = holder.logs('warn').map((log) => JSON.stringify(log.fields));
  t.true(
    reasons.some((reason) => reason.includes('authentication failed')),
    reasons.join('\n'),
  );
  t.deepEqual((await intruder.stats()).peers, []);
  for (const node of nodes) {
    t.is(node.peerUps(intruder.nodeId).length, 0);
    t.is((await node.stats()).peers.length, 2);
  }
});

test.serial(
  'random bytes, garbage frames and a wrong protocol version on mesh ports do not disturb the mesh',
  async (t) => {
    const port = await freePort();
    const nodes = await startNodes(t, 3, { host: '127.0.0.1', port, ...fastTimers });
    await waitForFullMesh(nodes, 20_000);
    const stats = await Promise.all(nodes.map((node) => node.stats()));
    const holder = nodes[stats.findIndex((s) => s.holdsRendezvous)]!;
    const [other, subscriber] = nodes.filter((node) => node !== holder) as [MeshChild, MeshChild];
    await subscriber.call({ cmd: 'subscribe', subject: 'still' });
    const otherPort = Number((await other.stats()).address.split(':')[1]);
    const encoder = createFrameEncoderCbor();
    const garbageFrame = Buffer.from([0, 0, 0, 8, 0xff, 0xfe, 0xfd, 0xfc, 0x1c, 0x1d, 0x1e, 0x1f]);
    const attacks = [
      [port, randomBytes(64 * 1024)],
      [otherPort, randomBytes(64 * 1024)],
      [port, garbageFrame],
      [port, encodeFrame(encoder, [FrameType.HELLO, 999, 'meshpush', 'x', Buffer.alloc(16), '127.0.0.1', 1, 2000])],
      [otherPort, encodeFrame(encoder, [FrameType.PUB, 'still', 'before any handshake'])],
    ] as const;
    const sockets = attacks.map(([target, bytes]) => {
      const raw = openRaw(target);
      raw.socket.write(bytes);
      return raw;
    });
    const withinDeadline = Promise.all(sockets.map((raw) => raw.closed));
    await waitFor(() => withinDeadline.then(() => true), 10_000, 'a bad connection was not closed');
    await publishAndCheck(holder, subscriber, 50);
    for (const node of nodes) {
      t.deepEqual(node.peerDowns(), [], 'no node lost a peer');
      t.is((await node.stats()).peers.length, 2);
    }
    const reasons = [...holder.logs('warn'), ...other.logs('warn')].map((log) => JSON.stringify(log.fields)).join('\n');
    t.regex(reasons, /exceeds the limit|undecodable|malformed|unknown frame type/);
    t.regex(reasons, /protocol version 999/);
    t.regex(reasons, /during handshake/);
    t.is((await subscriber.received('still')).count, 50);
  },
);

async function publishAndCheck(from: MeshChild, to: MeshChild, count: number): Promise<void> {
  await waitFor(
    async () => (await from.stats()).peers.find((p) => p.nodeId === to.nodeId)?.subjects === 1,
    10_000,
    'interest not learned',
  );
  await from.call({ cmd: 'publish', subject: 'still', count });
  await waitFor(
    async () => (await to.received('still')).count === count,
    10_000,
    'publish after the attack did not arrive',
  );
}
