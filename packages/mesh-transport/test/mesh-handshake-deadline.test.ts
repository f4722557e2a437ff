import { connect } from 'node:net';
import test from 'ava';
import { startMesh } from './support/inProcess.js';
import { freePort } from './support/ports.js';
import { waitFor } from './support/waitFor.js';

const NODE_TIMEOUT_MS = 400;

// A slow handshake that keeps moving (many nodes starting at once on a starved machine) is not cut
// by its age alone; one that stops moving is, and none lasts beyond five node timeouts.
test('a handshake is cut after a node timeout of silence, not of age, and never lasts past five', async (t) => {
  const port = await freePort();
  await startMesh(t, { port, checkIntervalMs: 100, nodeTimeoutMs: NODE_TIMEOUT_MS });
  const socket = connect({ host: '127.0.0.1', port });
  t.teardown(() => socket.destroy());
  let closedAt: number | undefined;
  socket.on('error', () => {});
  socket.on('close', () => (closedAt = performance.now()));
  socket.resume();
  await waitFor(() => socket.readyState === 'open', 5000, 'no connection');
  const openedAt = performance.now();
  // A frame header announcing a large body, then the body one byte at a time: never complete.
  socket.write(Buffer.from([0, 0, 0, 200]));
  let sent = 0;
  const trickle = setInterval(() => socket.write(Buffer.from([0x83]), () => sent++), NODE_TIMEOUT_MS / 4);
  t.teardown(() => clearInterval(trickle));
  await waitFor(() => sent >= 8 || closedAt !== undefined, 10_000, 'trickle stalled');
  t.is(closedAt, undefined, 'a moving handshake survived two node timeouts');
  await waitFor(() => closedAt !== undefined, NODE_TIMEOUT_MS * 10, 'the trickling handshake was never cut');
  const lifetime = (closedAt as number) - openedAt;
  t.true(lifetime <= NODE_TIMEOUT_MS * 5 + 500, `closed after ${Math.round(lifetime)} ms`);
  clearInterval(trickle);
  const silent = connect({ host: '127.0.0.1', port });
  t.teardown(() => silent.destroy());
  silent.on('error', () => {});
  silent.resume();
  const silentClosed = await waitFor(
    () => silent.destroyed || silent.readyState === 'closed',
    NODE_TIMEOUT_MS * 4,
    'a silent handshake outlived its node timeout',
  );
  t.true(silentClosed);
});
