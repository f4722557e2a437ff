import { copyFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import test from 'ava';
import { clusterEnv, clusterStatus, waitForMesh, type ClusterStatus } from './cluster-support/cluster.js';
import {
  nextEvent,
  pusherClient,
  pusherSdk,
  scrape,
  subscribed,
  TestCa,
  waitFor,
  type CertFiles,
} from '@meshpush/test-support';
import { METRICS_ENV } from './metrics-support.js';
import { startServer, type RunningServer } from './support/server.js';

interface PeerTls {
  nodeId: string;
  tls: { peerCertificate: { subject: string; validTo: string } | null } | null;
  uptimeMs: number;
}

function meshTls(files: CertFiles): Record<string, string> {
  return { CLUSTER_TLS_CERT: files.certFile, CLUSTER_TLS_KEY: files.keyFile, CLUSTER_TLS_CA: files.caFile };
}

function peers(status: ClusterStatus): PeerTls[] {
  return (status.transport?.peers ?? []) as unknown as PeerTls[];
}

function refusedRoutes(status: ClusterStatus): number {
  return Number(status.transport?.['refusedRoutes'] ?? 0);
}

/** A mesh HELLO frame in clear text, CBOR written by hand: what a plain node would send. */
function plainHello(port: number): Buffer {
  const text = (s: string): Buffer => Buffer.concat([Buffer.from([0x60 + s.length]), Buffer.from(s)]);
  const body = Buffer.concat([
    Buffer.from([0x87, 0x01, 0x01]),
    text('meshpush'),
    text('plain-intruder'),
    Buffer.from([0x50]),
    Buffer.alloc(16, 7),
    text('127.0.0.1'),
    Buffer.from([0x19, port >> 8, port & 0xff]),
  ]);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

async function eventCrosses(
  from: RunningServer,
  to: RunningServer,
  t: Parameters<typeof pusherClient>[0],
  channel: string,
): Promise<unknown> {
  const client = pusherClient(t, to);
  const { channel: ch } = await subscribed(client, channel);
  const received = nextEvent(ch, 'ping', 10_000);
  await waitFor(
    async () => {
      const answer = await (await pusherSdk(from).get({ path: `/channels/${channel}` })).json();
      return (answer as { occupied?: boolean }).occupied === true;
    },
    { timeoutMs: 10_000, message: `${channel} occupied as seen from the publishing node` },
  );
  await pusherSdk(from).trigger(channel, 'ping', { over: 'mesh tls' });
  return received;
}

test.serial('/cluster shows TLS per route with the peer certificate; metrics expose the earliest expiry', async (t) => {
  const ca = TestCa.create(t);
  const env = await clusterEnv({ ...METRICS_ENV, CLUSTER_SECRET: 's' });
  const a = await startServer(t, { env: { ...env, ...meshTls(ca.issue('node-a', { days: 5 })) } });
  const b = await startServer(t, { env: { ...env, ...meshTls(ca.issue('node-b', { days: 1 })) } });
  await waitForMesh([a, b]);
  const statusA = await clusterStatus(a);
  const [peer] = peers(statusA);
  t.is(peer?.tls?.peerCertificate?.subject, 'CN=node-b');
  const validTo = Date.parse(peer?.tls?.peerCertificate?.validTo ?? '');
  t.true(validTo > Date.now() && validTo < Date.now() + 2 * 86_400_000);
  t.regex(JSON.stringify(statusA.transport?.['tls']), /CN=node-a/);
  const metrics = await scrape(a.metricsPort);
  const meshExpiry = metrics.value('meshpush_tls_certificate_expiry_timestamp_seconds', { listener: 'mesh' }) ?? 0;
  // The earliest of node-a's certificate (5 days) and the CA (2 days): the CA.
  t.true(
    meshExpiry * 1000 > Date.now() + 86_400_000 && meshExpiry * 1000 < Date.now() + 3 * 86_400_000,
    String(meshExpiry),
  );
  t.is(metrics.value('meshpush_tls_earliest_certificate_expiry_timestamp_seconds'), meshExpiry);
  t.deepEqual(await eventCrosses(a, b, t, 'tls-status'), { over: 'mesh tls' });
});

test.serial(
  'a node with a certificate from another CA and a plain TCP client are refused; the mesh keeps working',
  async (t) => {
    const ca = TestCa.create(t);
    const otherCa = TestCa.create(t, 'other-ca');
    const env = await clusterEnv({ CLUSTER_SECRET: 's' });
    const a = await startServer(t, { env: { ...env, ...meshTls(ca.issue('node-a')) } });
    const b = await startServer(t, { env: { ...env, ...meshTls(ca.issue('node-b')) } });
    await waitForMesh([a, b]);
    const intruder = await startServer(t, { env: { ...env, ...meshTls(otherCa.issue('intruder')) } });
    await waitFor(async () => refusedRoutes(await clusterStatus(a)) > 0, {
      timeoutMs: 10_000,
      message: 'the intruder refused by the rendezvous holder',
    });
    await waitFor(() => /TLS handshake failed/.test(intruder.output()), {
      timeoutMs: 10_000,
      message: 'the intruder logs why',
    });
    t.regex(a.output(), /refused route.*TLS handshake failed/);
    t.deepEqual(peers(await clusterStatus(intruder)), []);

    const port = Number(env['CLUSTER_PORT']);
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    const closed = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
    socket.write(plainHello(port));
    await waitFor(() => closed, { timeoutMs: 10_000, message: 'the plain client closed' });
    t.regex(received.toString('latin1'), /requires mesh TLS/, 'told why, in a clear-text BYE');
    t.notRegex(received.toString('latin1'), /node-a|meshpush/, 'no HELLO in clear text');

    for (const node of [a, b]) t.is(peers(await clusterStatus(node)).length, 1);
    t.deepEqual(await eventCrosses(a, b, t, 'after-intruders'), { over: 'mesh tls' });
  },
);

test.serial('a TLS node and a plain node refuse each other, each with a logged reason', async (t) => {
  const ca = TestCa.create(t);
  const env = await clusterEnv();
  const tlsNode = await startServer(t, { env: { ...env, ...meshTls(ca.issue('node-tls')) } });
  const plainNode = await startServer(t, { env });
  await waitFor(() => /refused by peer.*requires mesh TLS/.test(plainNode.output()), {
    timeoutMs: 10_000,
    message: 'the plain node logs why',
  });
  t.regex(tlsNode.output(), /refused route.*requires mesh TLS and the peer does not use it/);
  t.deepEqual(peers(await clusterStatus(tlsNode)), []);
  t.deepEqual(peers(await clusterStatus(plainNode)), []);
});

test.serial(
  'SIGHUP: new routes see the new certificate, routes already up stay; a bad file keeps the old one',
  async (t) => {
    const ca = TestCa.create(t);
    const env = await clusterEnv({ CLUSTER_SECRET: 's' });
    const aFiles = ca.issue('node-a-v1');
    const a = await startServer(t, { env: { ...env, ...meshTls(aFiles) } });
    const b = await startServer(t, { env: { ...env, ...meshTls(ca.issue('node-b')) } });
    await waitForMesh([a, b]);
    const client = pusherClient(t, b);
    await subscribed(client, 'across-rotation');
    const routeBefore = peers(await clusterStatus(b))[0];

    const v2 = ca.issue('node-a-v2');
    copyFileSync(v2.certFile, aFiles.certFile);
    copyFileSync(v2.keyFile, aFiles.keyFile);
    process.kill(a.pid, 'SIGHUP');
    await waitFor(() => /mesh TLS reloaded for new routes \(CN=node-a-v2/.test(a.output()), {
      timeoutMs: 10_000,
      message: 'the reload log line',
    });

    const c = await startServer(t, { env: { ...env, ...meshTls(ca.issue('node-c')) } });
    await waitForMesh([a, b, c]);
    const cSeesA = peers(await clusterStatus(c)).find((p) => p.nodeId === (routeBefore?.nodeId ?? ''));
    t.is(cSeesA?.tls?.peerCertificate?.subject, 'CN=node-a-v2', 'a new route gets the new certificate');
    const routeAfter = peers(await clusterStatus(b)).find((p) => p.nodeId === routeBefore?.nodeId);
    t.is(routeAfter?.tls?.peerCertificate?.subject, 'CN=node-a-v1', 'the route that was up keeps its session');
    t.true((routeAfter?.uptimeMs ?? 0) > (routeBefore?.uptimeMs ?? Infinity), 'and was not replaced');
    t.is(client.connection.state, 'connected');
    t.deepEqual(await eventCrosses(a, b, t, 'after-rotation'), { over: 'mesh tls' });

    writeFileSync(aFiles.keyFile, 'garbage\n');
    process.kill(a.pid, 'SIGHUP');
    await waitFor(
      () =>
        /mesh TLS reload failed, keeping the current certificates: CLUSTER_TLS_KEY file .* holds no usable PEM private key/.test(
          a.output(),
        ),
      {
        timeoutMs: 10_000,
        message: 'the failed reload log line',
      },
    );
    const d = await startServer(t, { env: { ...env, ...meshTls(ca.issue('node-d')) } });
    await waitForMesh([a, b, c, d]);
    const dSeesA = peers(await clusterStatus(d)).find((p) => p.nodeId === routeBefore?.nodeId);
    t.is(dSeesA?.tls?.peerCertificate?.subject, 'CN=node-a-v2', 'the old (v2) material is still in use');
  },
);
