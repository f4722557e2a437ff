import test, { type ExecutionContext } from 'ava';
import { authorizedClient, freePort, pusherSdk, terminate, waitFor, type PusherClient } from '@meshpush/test-support';
import { NODE_RELEASES, RuntimeRoot, runtimeInputs, runtimesUnavailable, type NodeMajor } from '../src/index.js';
import { peerCount, REPO_ROOT, startServer, type ChrootedServer } from './support/servers.js';

const unavailable = runtimesUnavailable();
const required = process.env['MESHPUSH_REQUIRE_RUNTIMES'] === '1';
const majors: readonly NodeMajor[] = [22, 24];
const WAIT = { timeoutMs: 15_000 };

/** Two cluster nodes on the root's Node, meshed over loopback on a free rendezvous port. */
async function startPair(root: RuntimeRoot): Promise<[ChrootedServer, ChrootedServer]> {
  const clusterPort = String(await freePort());
  const env = { ADAPTER_DRIVER: 'cluster', CLUSTER_HOST: '127.0.0.1', CLUSTER_PORT: clusterPort };
  const a = await startServer(root, { ...env, PORT: String(await freePort()) });
  const b = await startServer(root, { ...env, PORT: String(await freePort()) });
  return [a, b];
}

/** A pusher-js client of the node on `port`, joining presence channels as `userId`. */
function client(t: ExecutionContext, port: number, userId: string): PusherClient {
  return authorizedClient(t, { port }, { id: userId, info: { name: userId } }) as PusherClient;
}

async function privateEventCrossesTheMesh(t: ExecutionContext, from: number, to: number): Promise<void> {
  const pusher = client(t, to, 'reader');
  await waitFor(() => pusher.connection.state === 'connected', { ...WAIT, message: 'pusher-js connected' });
  let subscribed = false;
  const received: unknown[] = [];
  const channel = pusher.subscribe('private-runtimes');
  channel.bind('pusher:subscription_succeeded', () => (subscribed = true));
  channel.bind('ping', (data: unknown) => received.push(data));
  await waitFor(() => subscribed, { ...WAIT, message: 'private-runtimes subscribed' });
  await pusherSdk({ port: from }).trigger('private-runtimes', 'ping', { n: 1 });
  await waitFor(() => received.length > 0, { ...WAIT, message: 'the REST event received' });
  t.deepEqual(received, [{ n: 1 }]);
}

async function presenceConverges(t: ExecutionContext, ports: readonly number[]): Promise<void> {
  const channels = ports.map((port, i) => client(t, port, `user-${i}`).subscribe('presence-runtimes'));
  const counts = (): number[] =>
    channels.map((channel) => (channel as unknown as { members: { count: number } }).members.count);
  await waitFor(() => counts().every((count) => count === ports.length), {
    ...WAIT,
    message: `every client sees ${ports.length} members`,
  });
  t.deepEqual(counts(), [2, 2]);
}

for (const major of majors) {
  const { version, abi } = NODE_RELEASES[major];
  const title = `Node ${version} in Debian 13: native uWS (ABI ${abi}), pusher-js, private, REST, presence over 2 nodes`;
  if (unavailable !== undefined) {
    if (required) test(title, (t) => t.fail(`MESHPUSH_REQUIRE_RUNTIMES=1 but ${unavailable}`));
    else test.skip(`${title} (skipped: ${unavailable})`, () => undefined);
    continue;
  }
  test.serial(title, async (t) => {
    const root = await RuntimeRoot.create(await runtimeInputs(major), [REPO_ROOT]);
    t.teardown(() => root.close());
    t.is((await root.runNode(['-p', 'process.version'])).trim(), `v${version}`);
    const [a, b] = await startPair(root);
    for (const node of [a, b]) {
      t.regex(
        node.process.output(),
        new RegExp(`uWebSockets.js loaded package=@btc-vision/uwebsockets.js version=20.57.0 abi=${abi} `),
      );
    }
    await waitFor(async () => (await peerCount(a.port)) === 1 && (await peerCount(b.port)) === 1, {
      ...WAIT,
      message: 'the two nodes meshed',
    });
    await privateEventCrossesTheMesh(t, b.port, a.port);
    await presenceConverges(t, [a.port, b.port]);
    for (const node of [a, b]) t.like(await terminate(node.process), { code: 0 }, 'drained on SIGTERM');
  });
}
