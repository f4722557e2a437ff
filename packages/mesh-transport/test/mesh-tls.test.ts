import { connect } from 'node:net';
import test from 'ava';
import { FrameDecoder } from '../src/FrameDecoder.js';
import { createFrameEncoderCbor, encodeFrame, FrameType, PROTOCOL_VERSION, type Frame } from '../src/frames.js';
import { createNonce } from '../src/handshake.js';
import { Mesh, MeshTlsError, type LogFields, type Logger, type MeshOptions } from '../src/index.js';
import { TestCa } from '@meshpush/test-support';
import { startMesh, waitForPeers } from './support/inProcess.js';
import { freePort } from './support/ports.js';
import { waitFor } from './support/waitFor.js';

const fast = { checkIntervalMs: 200, nodeTimeoutMs: 3000, masterTimeoutMs: 500, redialMaxDelayMs: 300 } as const;

interface CapturedLog {
  readonly level: string;
  readonly message: string;
  readonly fields: string;
}

function captureLogger(): { logger: Logger; lines: CapturedLog[] } {
  const lines: CapturedLog[] = [];
  const push = (level: string) => (message: string, fields?: LogFields) =>
    lines.push({ level, message, fields: JSON.stringify(fields ?? {}) });
  return { lines, logger: { debug: () => {}, info: push('info'), warn: push('warn'), error: push('error') } };
}

function hasWarning(lines: readonly CapturedLog[], pattern: RegExp): boolean {
  return lines.some((line) => line.level === 'warn' && pattern.test(`${line.message} ${line.fields}`));
}

async function publishArrives(from: Mesh, to: Mesh, subject: string): Promise<void> {
  let received = 0;
  to.on('message', (s) => {
    if (s === subject) received++;
  });
  to.subscribe(subject);
  await waitFor(
    () => from.stats().peers.find((p) => p.nodeId === to.nodeId)?.subjects === to.stats().subjects,
    10_000,
    'interest not learned',
  );
  from.publish(subject, { hello: 'over tls' });
  await waitFor(() => received === 1, 10_000, `publish on ${subject} did not arrive`);
}

test.serial('three TLS nodes form a mesh, carry publishes, and report the peer certificate per route', async (t) => {
  const ca = TestCa.create(t);
  const port = await freePort();
  const nodes: Mesh[] = [];
  for (const name of ['node-a', 'node-b', 'node-c'])
    nodes.push(await startMesh(t, { port, secret: 's', tls: ca.issuePem(name), ...fast }));
  await waitForPeers(nodes);
  const [a, b, c] = nodes as [Mesh, Mesh, Mesh];
  await publishArrives(a, c, 'tls.news');
  const stats = b.stats();
  t.regex(stats.tls?.certificate.subject ?? '', /CN=node-b/);
  t.true(Date.parse(stats.tls?.earliestExpiry ?? '') > Date.now());
  t.is(stats.peers.length, 2);
  const subjects = stats.peers.map((peer) => peer.tls?.peerCertificate?.subject ?? 'none').sort();
  t.deepEqual(subjects, ['CN=node-a', 'CN=node-c']);
  for (const peer of stats.peers) t.true(Date.parse(peer.tls?.peerCertificate?.validTo ?? '') > Date.now());
});

test.serial(
  'a node whose certificate comes from another CA is refused on both sides; the mesh keeps working',
  async (t) => {
    const ca = TestCa.create(t);
    const otherCa = TestCa.create(t, 'intruder-ca');
    const port = await freePort();
    const logs = captureLogger();
    const a = await startMesh(t, { port, tls: ca.issuePem('node-a'), logger: logs.logger, ...fast });
    const b = await startMesh(t, { port, tls: ca.issuePem('node-b'), ...fast });
    await waitForPeers([a, b]);
    const intruderLogs = captureLogger();
    const intruder = await startMesh(t, {
      port,
      tls: otherCa.issuePem('intruder'),
      logger: intruderLogs.logger,
      ...fast,
    });
    await waitFor(() => a.stats().refusedRoutes > 0, 10_000, 'the holder did not refuse the intruder');
    await waitFor(
      () => hasWarning(intruderLogs.lines, /TLS handshake failed/),
      10_000,
      'the intruder logged no reason',
    );
    t.true(hasWarning(logs.lines, /TLS handshake failed/), JSON.stringify(logs.lines));
    t.deepEqual(intruder.peers(), []);
    t.false(a.peers().includes(intruder.nodeId));
    await publishArrives(b, a, 'still.up');
    t.deepEqual(a.peers(), [b.nodeId]);
  },
);

test.serial(
  'a TLS node and a plain node refuse each other with a logged reason; nothing runs in clear text',
  async (t) => {
    const ca = TestCa.create(t);
    const port = await freePort();
    const tlsLogs = captureLogger();
    const plainLogs = captureLogger();
    const tlsNode = await startMesh(t, { port, tls: ca.issuePem('node-tls'), logger: tlsLogs.logger, ...fast });
    const plainNode = await startMesh(t, { port, logger: plainLogs.logger, ...fast });
    // The plain node dials the TLS rendezvous: it is told why, in a clear-text BYE it can read.
    await waitFor(
      () => hasWarning(plainLogs.lines, /requires mesh TLS/),
      10_000,
      () => `plain node logged no reason: ${JSON.stringify(plainLogs.lines)}`,
    );
    t.true(hasWarning(tlsLogs.lines, /requires mesh TLS and the peer does not use it/));
    // And the other way: the TLS node dials the plain node's own listener.
    const plainPort = Number(plainNode.stats().address.split(':')[1]);
    const seeder = await startMesh(t, {
      port: 0,
      seeds: [`127.0.0.1:${plainPort}`],
      tls: ca.issuePem('seeder'),
      logger: tlsLogs.logger,
      ...fast,
    });
    await waitFor(
      () => hasWarning(plainLogs.lines, /speaks TLS but mesh TLS is off/),
      10_000,
      'plain node did not refuse a TLS dialer',
    );
    await waitFor(
      () => hasWarning(tlsLogs.lines, /does not speak TLS/),
      10_000,
      () => `TLS dialer logged no reason: ${JSON.stringify(tlsLogs.lines)}`,
    );
    t.deepEqual(plainNode.peers(), []);
    t.deepEqual(
      seeder.peers().filter((id) => id === plainNode.nodeId),
      [],
    );
    t.false(tlsNode.peers().includes(plainNode.nodeId));
  },
);

test.serial('a plain TCP client speaking the mesh protocol to a TLS node gets a BYE and is closed', async (t) => {
  const ca = TestCa.create(t);
  const port = await freePort();
  const a = await startMesh(t, { port, tls: ca.issuePem('node-a'), ...fast });
  const b = await startMesh(t, { port, tls: ca.issuePem('node-b'), ...fast });
  await waitForPeers([a, b]);
  const frames: Frame[] = [];
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  const decoder = new FrameDecoder({ maxFrameBytes: 1 << 20, onFrame: (frame) => frames.push(frame) });
  socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  const closed = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
  socket.write(
    encodeFrame(createFrameEncoderCbor(), [
      FrameType.HELLO,
      PROTOCOL_VERSION,
      'meshpush',
      'raw',
      createNonce(),
      '127.0.0.1',
      1,
      2000,
    ]),
  );
  await waitFor(() => closed, 10_000, 'the plain client was not closed');
  const bye = frames.find((frame) => frame[0] === FrameType.BYE);
  t.regex(String(bye?.[1]), /requires mesh TLS/);
  t.false(
    frames.some((frame) => frame[0] === FrameType.HELLO),
    'a TLS node never speaks the protocol in clear text',
  );
  await publishArrives(a, b, 'after.raw');
});

test.serial(
  'updateTls: new routes use the new certificate, routes already up stay; bad material is refused and the old kept',
  async (t) => {
    const ca = TestCa.create(t);
    const port = await freePort();
    const a = await startMesh(t, { port, tls: ca.issuePem('node-a-v1'), ...fast });
    const b = await startMesh(t, { port, tls: ca.issuePem('node-b'), ...fast });
    await waitForPeers([a, b]);
    const routeUptime = b.stats().peers[0]?.uptimeMs ?? 0;
    const bad = ca.issuePem('mismatch');
    t.throws(() => a.updateTls({ ...ca.issuePem('node-a-v2'), key: bad.key }), {
      instanceOf: MeshTlsError,
      message: /do not form a usable identity/,
    });
    t.regex(a.stats().tls?.certificate.subject ?? '', /node-a-v1/);
    a.updateTls(ca.issuePem('node-a-v2'));
    t.regex(a.stats().tls?.certificate.subject ?? '', /node-a-v2/);
    const c = await startMesh(t, { port, tls: ca.issuePem('node-c'), ...fast });
    await waitForPeers([a, b, c]);
    t.is(c.stats().peers.find((p) => p.nodeId === a.nodeId)?.tls?.peerCertificate?.subject, 'CN=node-a-v2');
    const old = b.stats().peers.find((p) => p.nodeId === a.nodeId);
    t.is(old?.tls?.peerCertificate?.subject, 'CN=node-a-v1', 'the route that was up keeps its session');
    t.true((old?.uptimeMs ?? 0) > routeUptime);
    t.is(b.stats().peers.length, 2);
  },
);

test.serial('Mesh.start rejects a key that does not match the certificate, and a CA that is not PEM', async (t) => {
  const ca = TestCa.create(t);
  const one = ca.issuePem('one');
  const two = ca.issuePem('two');
  const base: MeshOptions = { port: 0, host: '127.0.0.1', ...fast };
  await t.throwsAsync(Mesh.start({ ...base, tls: { ...one, key: two.key } }), {
    instanceOf: MeshTlsError,
    message: /key values mismatch|do not form/,
  });
  await t.throwsAsync(Mesh.start({ ...base, tls: { ...one, ca: 'not a certificate' } }), { instanceOf: MeshTlsError });
});

test.serial(
  'a silent connection, and one that stalls inside the TLS handshake, are closed by the node timeout',
  async (t) => {
    const ca = TestCa.create(t);
    const logs = captureLogger();
    const node = await startMesh(t, {
      port: await freePort(),
      tls: ca.issuePem('node-a'),
      logger: logs.logger,
      checkIntervalMs: 100,
      nodeTimeoutMs: 500,
    });
    const port = Number(node.stats().address.split(':')[1]);
    let closed = 0;
    const open = (first?: Buffer): void => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => {});
      socket.once('close', () => closed++);
      if (first !== undefined) socket.write(first);
      t.teardown(() => socket.destroy());
    };
    open();
    open(Buffer.from([0x16, 0x03, 0x01]));
    await waitFor(() => closed === 2, 10_000, 'a connection stayed open');
    await waitFor(
      () => hasWarning(logs.lines, /TLS handshake timed out/),
      5000,
      'the stalled handshake was not logged',
    );
    t.is(node.stats().routes, 0);
  },
);
