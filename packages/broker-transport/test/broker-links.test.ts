import test from 'ava';
import { Chunker } from '../src/Chunker.js';
import { PeerLinks, type LinkActions } from '../src/PeerLinks.js';
import { fromNatsToken, natsNaming, natsPrefixProblem, natsToken, redisNaming } from '../src/subjects.js';
import { Kind, WireCodec, isWireMessage } from '../src/wire.js';

/**
 * Two or more link tables wired to each other in memory with a fake clock: what one sends is
 * delivered to the other when the test says so (`deliverAll`), so orders and losses are scripted.
 */
class Net {
  now = 0;
  readonly nodes = new Map<string, PeerLinks>();
  readonly events: string[] = [];
  readonly queue: Array<() => void> = [];

  add(id: string, timeoutMs = 1000, helloRetryMs?: number): PeerLinks {
    const actions: LinkActions = {
      sendHello: (peer, linkId) => this.queue.push(() => this.nodes.get(peer)?.onHello(id, linkId)),
      sendAck: (peer, linkId) => this.queue.push(() => this.nodes.get(peer)?.onAck(id, linkId)),
      up: (peer) => this.events.push(`${id}: up ${peer}`),
      down: (peer, reason) => this.events.push(`${id}: down ${peer} (${reason})`),
    };
    const links = new PeerLinks(id, timeoutMs, actions, () => this.now, helloRetryMs);
    this.nodes.set(id, links);
    return links;
  }

  /** Every node hears a heartbeat of every other. */
  heartbeats(except: readonly string[] = []): void {
    for (const [id] of this.nodes) {
      if (except.includes(id)) continue;
      for (const [other, links] of this.nodes) if (other !== id && !except.includes(other)) links.heard(id);
    }
  }

  deliverAll(): void {
    while (this.queue.length > 0) this.queue.shift()?.();
  }
}

test('two nodes that hear each other link once, even when both greet at the same time', (t) => {
  const net = new Net();
  const a = net.add('a');
  const b = net.add('b');
  net.heartbeats();
  t.is(net.queue.length, 2, 'both sent a HELLO');
  net.deliverAll();
  t.deepEqual(net.events.sort(), ['a: up b', 'b: up a']);
  t.deepEqual([a.upPeers(), b.upPeers()], [['b'], ['a']]);
  net.heartbeats();
  net.deliverAll();
  t.is(net.events.length, 2, 'no further transitions');
});

test('data from a node is held back until its link is up', (t) => {
  const net = new Net();
  const a = net.add('a');
  net.add('b');
  t.false(a.heard('b'), 'first contact: not linked yet');
  net.deliverAll();
  t.true(a.heard('b'));
});

test('a node silent for the node timeout goes down once; a late heartbeat relinks both sides', (t) => {
  const net = new Net();
  const a = net.add('a');
  const b = net.add('b');
  net.heartbeats();
  net.deliverAll();
  net.events.length = 0;
  net.now = 900;
  a.check();
  t.deepEqual(net.events, []);
  net.now = 1001;
  a.check();
  a.check();
  t.deepEqual(net.events, ['a: down b (silent for 1001 ms)']);
  // b never noticed (asymmetric); when a hears it again both must resync: b drops a's old link first.
  net.events.length = 0;
  b.heard('a');
  t.false(a.heard('b'));
  net.deliverAll();
  t.deepEqual(net.events, ['b: down a (the peer restarted its link (it lost ours))', 'b: up a', 'a: up b']);
});

test('dropAll (broker connection lost) takes every peer down, and the reconnect relinks them', (t) => {
  const net = new Net();
  const a = net.add('a');
  net.add('b');
  net.add('c');
  net.heartbeats();
  net.deliverAll();
  net.events.length = 0;
  a.dropAll('lost the broker');
  t.deepEqual(net.events.sort(), ['a: down b (lost the broker)', 'a: down c (lost the broker)']);
  net.events.length = 0;
  net.heartbeats();
  net.deliverAll();
  t.deepEqual(net.events.sort(), [
    'a: up b',
    'a: up c',
    'b: down a (the peer restarted its link (it lost ours))',
    'b: up a',
    'c: down a (the peer restarted its link (it lost ours))',
    'c: up a',
  ]);
});

test('BYE takes a peer down at once; an unanswered HELLO is retried after the timeout', (t) => {
  const net = new Net();
  const a = net.add('a');
  net.add('b');
  net.heartbeats();
  net.deliverAll();
  a.onBye('b');
  t.deepEqual(a.upPeers(), []);
  t.true(net.events.includes('a: down b (left the cluster)'));

  a.heard('b');
  net.queue.length = 0; // the HELLO is lost
  net.now = 500;
  a.heard('b');
  a.check();
  t.is(net.queue.length, 0, 'no retry before the timeout');
  net.now = 1200;
  a.heard('b');
  a.check();
  t.is(net.queue.length, 1, 'retried');
  net.deliverAll();
  t.true(a.isUp('b'));
});

test('a lost HELLO from the lower node id is retried after helloRetryMs, not after a long node timeout', (t) => {
  const net = new Net();
  const a = net.add('a', 20_000, 400);
  const b = net.add('b', 20_000, 400);
  a.heard('b');
  net.queue.length = 0; // a greeted before its connection was up: the HELLO is lost
  b.heard('a');
  net.deliverAll(); // b's crossed HELLO: a ignores it (a's own, lower, link wins)
  t.deepEqual([a.upPeers(), b.upPeers()], [[], []]);
  net.now = 500;
  net.heartbeats();
  a.check();
  b.check();
  net.deliverAll();
  t.deepEqual([a.upPeers(), b.upPeers()], [['b'], ['a']], 'linked within one retry');
});

test('NATS tokens: channel names with dots, wildcards, spaces and non-ASCII map one-to-one to safe tokens', (t) => {
  for (const name of ['private-chat.room', 'a*b>c', 'with space', 'ümlaut-🙂', '%25', '', 'app\u001fpresence-x']) {
    const token = natsToken(name);
    t.regex(token, /^[^.*>\s]+$/, `${JSON.stringify(name)} → ${token}`);
    t.is(fromNatsToken(token), name);
  }
  t.not(natsToken('a.b'), natsToken('a%2Eb'));
  t.is(natsToken('presence-room_1'), 'presence-room_1', 'ordinary names stay readable');
  t.deepEqual(
    [natsNaming('').all, natsNaming('soketi').channel('x.y'), natsNaming('a.b.').inbox('n1')],
    ['meshpush.all', 'soketi.meshpush.ch.x%2Ey', 'a.b.meshpush.node.n1'],
  );
  t.is(redisNaming('p:').channel('app\u001fch.1'), 'p:meshpush:ch:app\u001fch.1');
  t.is(natsPrefixProblem('ok.prefix'), undefined);
  t.truthy(natsPrefixProblem('bad*'));
  t.truthy(natsPrefixProblem('a..b'));
});

test('wire messages: shapes are checked; garbage decodes to undefined; chunks join to the original', (t) => {
  const codec = new WireCodec();
  const message = [Kind.Topic, 'n1', 'topic', { buf: Buffer.from([1, 2]), list: [1, 'a', null] }] as const;
  t.deepEqual(codec.decode(codec.encode(message)), [
    Kind.Topic,
    'n1',
    'topic',
    { buf: Buffer.from([1, 2]), list: [1, 'a', null] },
  ]);
  t.is(codec.decode(new Uint8Array([0xff, 0x00, 0x13])), undefined);
  t.false(isWireMessage([Kind.Hello, 'n1']));
  t.false(isWireMessage([99, 'n1']));
  t.false(isWireMessage([Kind.Reply, 'n1', 1, 'yes', null]));

  const chunker = new Chunker();
  const big = codec.encode([Kind.Publish, 'n1', 'x'.repeat(10_000)]);
  const pieces = chunker.split('n1', big, 2048, codec);
  t.true(pieces.length >= 5 && pieces.every((p) => p.length <= 2048));
  const joined = pieces
    .map((p) => codec.decode(p))
    .map((chunk) => (chunk?.[0] === Kind.Chunk ? chunker.accept(chunk, codec) : 'not a chunk'));
  t.deepEqual(
    joined.slice(0, -1),
    pieces.slice(0, -1).map(() => undefined),
  );
  t.deepEqual(joined.at(-1), [Kind.Publish, 'n1', 'x'.repeat(10_000)]);
});
