import test from 'ava';
import { formatAddress, type HostPort } from '../src/address.js';
import { Discovery, type RouteEnd } from '../src/Discovery.js';
import { resolveOptions, type MeshOptions } from '../src/options.js';
import { waitFor } from './support/waitFor.js';

/** Discovery against a fake node: dials are only recorded, nothing touches the network. */
function discovery(
  options: MeshOptions = {},
  connected = new Set<string>(),
): { discovery: Discovery; dials: string[] } {
  const dials: string[] = [];
  const instance = new Discovery({
    nodeId: 'self',
    options: resolveOptions({ redialMaxDelayMs: 200, ...options }),
    hasRouteTo: (nodeId) => connected.has(nodeId),
    dial: (address: HostPort) => dials.push(formatAddress(address)),
  });
  return { discovery: instance, dials };
}

const ended = (dialed: HostPort, overrides: Partial<RouteEnd> = {}): RouteEnd => ({
  dialed,
  peerId: undefined,
  peerAddress: undefined,
  kind: 'io',
  errorCode: undefined,
  wasUp: false,
  ...overrides,
});

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('seeds and the rendezvous are dialled at start', async (t) => {
  const { discovery: d, dials } = discovery({ seeds: ['10.9.9.9:7000'] });
  d.start({ host: '127.0.0.1', port: 11002 });
  await waitFor(() => dials.length === 2, 2000, 'no dials');
  t.deepEqual(dials.sort(), ['10.9.9.9:7000', '127.0.0.1:11002']);
  d.stop();
});

test('a seed given by DNS name is resolved and its addresses dialled', async (t) => {
  const { discovery: d, dials } = discovery({ seeds: ['localhost:7001'] });
  d.start(undefined);
  await waitFor(() => dials.includes('127.0.0.1:7001'), 5000, 'localhost was not resolved to 127.0.0.1');
  d.stop();
  t.pass();
});

test('gossiped peers are dialled once, except itself and peers it already has a route to', async (t) => {
  const { discovery: d, dials } = discovery({}, new Set(['known']));
  d.start(undefined);
  d.learn([
    ['self', '127.0.0.1', 1],
    ['known', '127.0.0.1', 2],
    ['new', '127.0.0.1', 3],
    ['new', '127.0.0.1', 3],
  ]);
  await waitFor(() => dials.length === 1, 2000, 'gossiped peer not dialled');
  await settle(250);
  t.deepEqual(dials, ['127.0.0.1:3']);
  d.stop();
});

test('a gossiped peer that refuses the connection is forgotten; a seed is redialled with backoff', async (t) => {
  const { discovery: d, dials } = discovery({ seeds: ['10.9.9.9:7000'] });
  d.start(undefined);
  d.learn([['gone', '127.0.0.1', 3]]);
  await waitFor(() => dials.length === 2, 2000, 'not dialled');
  d.routeEnded(ended({ host: '127.0.0.1', port: 3 }, { errorCode: 'ECONNREFUSED' }));
  d.routeEnded(ended({ host: '10.9.9.9', port: 7000 }, { errorCode: 'ECONNREFUSED' }));
  await waitFor(() => dials.length === 3, 2000, 'seed not redialled');
  await settle(300);
  t.is(dials.filter((dial) => dial === '127.0.0.1:3').length, 1);
  d.stop();
});

test('an address that answered with this node itself is never dialled again', async (t) => {
  const { discovery: d, dials } = discovery({ seeds: ['10.9.9.9:7000'] });
  d.start(undefined);
  await waitFor(() => dials.length === 1, 2000, 'not dialled');
  d.routeEnded(ended({ host: '10.9.9.9', port: 7000 }, { kind: 'self' }));
  await settle(400);
  t.is(dials.length, 1);
  d.stop();
});

test('a refused rendezvous or a lost rendezvous holder reports the rendezvous lost', async (t) => {
  const { discovery: d, dials } = discovery();
  let lost = 0;
  d.onRendezvousLost = () => lost++;
  const rendezvous = { host: '127.0.0.1', port: 11002 };
  d.start(rendezvous);
  await waitFor(() => dials.length === 1, 2000, 'not dialled');
  d.routeEnded(ended(rendezvous, { errorCode: 'ECONNREFUSED' }));
  t.is(lost, 1);
  await waitFor(() => dials.length === 2, 2000, 'rendezvous not redialled');
  d.peerUp('holder', rendezvous, rendezvous);
  t.is(d.rendezvousHolder(), 'holder');
  d.routeEnded(ended(rendezvous, { peerId: 'holder', wasUp: true, kind: 'timeout' }));
  t.is(lost, 2);
  d.stop();
});

test('hearing again of a peer whose dials keep failing keeps its backoff; a new process at its address is dialled at once', async (t) => {
  const { discovery: d, dials } = discovery({ redialMaxDelayMs: 10_000 });
  const address = { host: '10.9.9.8', port: 7000 };
  const fail = (): void => d.routeEnded(ended(address, { errorCode: 'EHOSTUNREACH' }));
  d.start(undefined);
  d.learn([['peer', address.host, address.port]]);
  for (let failures = 1; failures <= 3; failures++) {
    await waitFor(() => dials.length === failures, 3000, `dial ${failures} missing`);
    fail();
    d.learn([['peer', address.host, address.port]]); // a common peer re-sends its list
  }
  await waitFor(() => dials.length === 4, 3000, 'dial 4 missing');
  fail(); // the 4th failure: 800 ms of backoff (it would be 100 ms had the re-sends reset it)
  await settle(500);
  t.is(dials.length, 4, 'the re-sent peer lists did not restart the backoff');
  d.learn([['peer-restarted', address.host, address.port]]);
  await waitFor(() => dials.length === 5, 300, 'a new process at the address is dialled at once');
  d.stop();
});
