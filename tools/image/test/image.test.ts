import test, { type ExecutionContext } from 'ava';
import WebSocket from 'ws';
import { runtimesUnavailable } from '@meshpush/runtimes';
import { authorizedClient, pusherSdk, waitFor, type PusherClient } from '@meshpush/test-support';
import { ensureBaseImage, ensurePodman, podman, ULIMITS } from '../src/index.js';
import {
  buildContext,
  peerCount,
  planNodes,
  removeContainers,
  runNode,
  waitReady,
  type Node,
} from './support/containers.js';

const BASE = 'docker.io/library/node:24-trixie-slim';
const unavailable = runtimesUnavailable();
const required = process.env['MESHPUSH_REQUIRE_IMAGE'] === '1';
const title = 'the image: 3 containers meshed by seeds, events across them, presence, podman stop drains';

/** A pusher-js client of the node on `port`, joining presence channels as `userId`. */
function client(t: ExecutionContext, port: number, userId: string): PusherClient {
  return authorizedClient(t, { port }, { id: userId, info: { name: userId } }) as PusherClient;
}

async function buildImage(t: ExecutionContext, tag: string): Promise<void> {
  const context = await buildContext();
  t.teardown(() => context.dispose());
  const started = Date.now();
  await podman(
    ['build', '--pull=never', '--layers=false', '--format', 'docker', '--network', 'host', ...ULIMITS]
      .concat(['--secret', 'id=extra_ca,src=/etc/ssl/certs/ca-certificates.crt'])
      .concat(['-f', 'deploy/container/Containerfile', '-t', tag, context.dir]),
    1_200_000,
  );
  const size = (await podman(['image', 'inspect', '--format', '{{.Size}}', tag])).trim();
  t.log(`built in ${((Date.now() - started) / 1000).toFixed(0)} s, ${(Number(size) / 1e6).toFixed(0)} MB`);
}

async function eventAcross(t: ExecutionContext, [a, b]: readonly Node[]): Promise<void> {
  const pusher = client(t, a!.port, 'reader');
  const received: unknown[] = [];
  let subscribed = false;
  const channel = pusher.subscribe('image-events');
  channel.bind('pusher:subscription_succeeded', () => (subscribed = true));
  channel.bind('hello', (data: unknown) => received.push(data));
  await waitFor(() => subscribed, { timeoutMs: 15_000, message: 'subscribed on the first container' });
  await pusherSdk({ port: b!.port }).trigger('image-events', 'hello', { from: b!.name });
  await waitFor(() => received.length > 0, { timeoutMs: 15_000, message: 'the event triggered on the second' });
  t.deepEqual(received, [{ from: b!.name }]);
}

type Members = { members: { count: number } };

async function presenceAndDrain(t: ExecutionContext, nodes: readonly Node[]): Promise<void> {
  const channels = nodes.map(
    (node, i) => client(t, node.port, `user-${i}`).subscribe('presence-image') as unknown as Members,
  );
  const counts = (): number[] => channels.map((channel) => channel.members.count);
  await waitFor(() => counts().every((count) => count === 3), { timeoutMs: 15_000, message: 'presence converged' });
  const stopped = nodes[2]!;
  const closed = closeCodeOf(stopped.port);
  await waitFor(() => closed.opened, { timeoutMs: 5000, message: 'raw socket open' });
  const started = Date.now();
  await podman(['stop', '--time', '20', stopped.name], 60_000);
  t.is(await closed.code, 4200, 'clients of the stopped container are told to reconnect at once');
  await waitFor(() => counts()[0] === 2 && counts()[1] === 2, { timeoutMs: 5000, message: 'members dropped' });
  t.true(Date.now() - started < 10_000, 'dropped by BYE, before the 10 s node timeout');
}

/** A raw WebSocket on `port`: the close code the server sends it. */
function closeCodeOf(port: number): { opened: boolean; code: Promise<number> } {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/app/app-key?protocol=7`);
  const state = { opened: false, code: new Promise<number>((resolve) => socket.on('close', resolve)) };
  socket.on('open', () => (state.opened = true));
  socket.on('error', () => undefined);
  return state;
}

if (unavailable !== undefined) {
  if (required) test(title, (t) => t.fail(`MESHPUSH_REQUIRE_IMAGE=1 but ${unavailable}`));
  else test.skip(`${title} (skipped: ${unavailable})`, () => undefined);
} else {
  test.serial(title, async (t) => {
    await ensurePodman();
    await ensureBaseImage(24, BASE);
    const tag = `localhost/meshpush-test:${process.pid}`;
    t.teardown(() => podman(['rmi', '--force', '--ignore', tag]).then(() => undefined));
    await buildImage(t, tag);
    const nodes = await planNodes(`meshpush-test-${process.pid}`, 3);
    t.teardown(() => removeContainers(nodes.map((node) => node.name)));
    for (const node of nodes) await runNode(tag, node, nodes);
    for (const node of nodes) await waitReady(node);
    await waitFor(async () => (await Promise.all(nodes.map(peerCount))).every((count) => count === 2), {
      timeoutMs: 20_000,
      message: 'three containers meshed',
    });
    await eventAcross(t, nodes);
    await presenceAndDrain(t, nodes);
  });
}
