import assert from 'node:assert/strict';
import type { RequestingTransport } from '../ClusterTransport.js';

/** Nodes of one cluster under test: each call gives a new node, constructed but not started. */
export interface ContractCluster {
  node(): RequestingTransport;
}

/** What the contract needs to know about the transport it checks. */
export interface TransportContractOptions {
  /** A fresh, empty cluster for each case (a new port, prefix or network), so cases never meet. */
  newCluster(): ContractCluster | Promise<ContractCluster>;
  /** The node timeout the nodes run with: a graceful leave must be seen well before it. */
  readonly nodeTimeoutMs: number;
  /** How long to wait for a condition before failing. @default 10000 */
  readonly deadlineMs?: number;
}

/** One behaviour every transport must have: register it with any test runner. */
export interface ContractCase {
  readonly title: string;
  run(): Promise<void>;
}

/**
 * The behaviour every `ClusterTransport` shares, as test cases that throw on failure (any test
 * runner registers them: `for (const c of transportContract(o)) test(c.title, (t) => t.notThrowsAsync(c.run()))`):
 * peers up and down with BYE, interest propagation and its barrier, publishes only to interested
 * nodes and in order per sender, broadcast and sendTo, requests that never hang, and the interest
 * a node learns when it joins late.
 */
export function transportContract(options: TransportContractOptions): ContractCase[] {
  const within = options.deadlineMs ?? 10_000;
  const scenario = (title: string, body: (nodes: Nodes) => Promise<void>): ContractCase => ({
    title,
    run: () => withNodes(options, within, body),
  });
  return [
    scenario('peer-up on both sides, then peer-down after a graceful close, before the node timeout', async (nodes) => {
      const [a, b] = await nodes.meshed(2);
      const down = nodes.events(a, 'peer-down');
      const closedAt = performance.now();
      await b.close();
      await nodes.until(() => down.includes(b.nodeId), 'a sees b leave');
      assert.ok(performance.now() - closedAt < options.nodeTimeoutMs, 'BYE: faster than the node timeout');
      assert.deepEqual(a.peers(), []);
    }),
    scenario(
      'interest: after the barrier every peer routes to the subscriber, and only while it subscribes',
      async (nodes) => {
        const [a, b, c] = await nodes.meshed(3);
        const gotA = nodes.messages(a);
        const gotC = nodes.messages(c);
        a.subscribe('news');
        await a.interestBarrier(within);
        b.publish('news', 1);
        await nodes.until(() => gotA.length === 1, 'a receives the publish sent after its barrier');
        assert.deepEqual(gotA[0], { subject: 'news', payload: 1, from: b.nodeId });
        a.subscribe('news');
        a.unsubscribe('news');
        b.publish('news', 2);
        await nodes.until(() => gotA.length === 2, 'a still subscribes once after one of two unsubscribes');
        a.unsubscribe('news');
        await a.interestBarrier(within);
        b.publish('news', 3);
        c.subscribe('marker');
        await c.interestBarrier(within);
        b.publish('marker', 'end');
        await nodes.until(() => gotC.length === 1, 'the marker behind the last publish');
        assert.equal(gotA.length, 2, 'nothing after the last unsubscribe');
        assert.deepEqual(
          gotC.map((m) => m.subject),
          ['marker'],
          'an uninterested node gets no publish',
        );
      },
    ),
    scenario('publishes from one sender arrive in the order sent, and never back at the sender', async (nodes) => {
      const [a, b] = await nodes.meshed(2);
      const got = nodes.messages(a);
      const echoed = nodes.messages(b);
      a.subscribe('seq');
      b.subscribe('seq');
      await Promise.all([a.interestBarrier(within), b.interestBarrier(within)]);
      for (let i = 0; i < 500; i++) b.publish('seq', i);
      await nodes.until(() => got.length === 500, '500 publishes');
      assert.deepEqual(
        got.map((m) => m.payload),
        Array.from({ length: 500 }, (_, i) => i),
      );
      assert.equal(echoed.length, 0);
    }),
    scenario('broadcast reaches every peer, sendTo one, neither the sender', async (nodes) => {
      const [a, b, c] = await nodes.meshed(3);
      const [atA, atB, atC] = [a, b, c].map((node) => nodes.events(node, 'broadcast'));
      a.broadcast('hello', { n: 1 });
      assert.equal(a.sendTo(c.nodeId, 'direct', 'only c'), true);
      assert.equal(a.sendTo('no-such-node', 'direct', 'x'), false);
      await nodes.until(() => atB?.length === 1 && atC?.length === 2, 'b and c receive');
      assert.deepEqual(atB, ['hello']);
      assert.deepEqual(atC, ['hello', 'direct']);
      assert.deepEqual(atA, []);
    }),
    scenario(
      'requests: answers come back; a missing handler and a timeout give ok:false, never a hang',
      async (nodes) => {
        const [a, b, c] = await nodes.meshed(3);
        b.handle('double', (payload) => Number(payload) * 2);
        c.handle('double', () => new Promise(() => undefined));
        const replies = await a.request('all', 'double', 21, 500);
        const byNode = new Map(replies.map((reply) => [reply.nodeId, reply]));
        assert.deepEqual(byNode.get(b.nodeId), { nodeId: b.nodeId, ok: true, payload: 42 });
        assert.equal(byNode.get(c.nodeId)?.ok, false, 'a handler that never answers times out');
        const [missing] = await a.request(b.nodeId, 'unknown-topic', null, 2000);
        assert.equal(missing?.ok, false);
        const [nobody] = await a.request('no-such-node', 'double', 1, 2000);
        assert.equal(nobody?.ok, false);
      },
    ),
    scenario('a request to a peer that leaves settles at once', async (nodes) => {
      const [a, b] = await nodes.meshed(2);
      b.handle('slow', () => new Promise(() => undefined));
      const pending = a.request(b.nodeId, 'slow', null, 60_000);
      const startedAt = performance.now();
      await b.close();
      const [reply] = await pending;
      assert.equal(reply?.ok, false);
      assert.ok(performance.now() - startedAt < options.nodeTimeoutMs + 1000, 'settled on peer-down');
    }),
    scenario(
      'a node that joins late learns the interest there is; peer-up comes before the first message',
      async (nodes) => {
        const [a] = await nodes.meshed(1);
        const got = nodes.messages(a);
        a.subscribe('early');
        await a.interestBarrier(within);
        const late = nodes.created();
        const order: string[] = [];
        late.on('peer-up', () => order.push('peer-up'));
        late.on('broadcast', (topic) => order.push(topic));
        a.on('peer-up', (id) => void (id === late.nodeId && a.sendTo(late.nodeId, 'welcome', null)));
        await late.start();
        await nodes.until(() => order.length === 2, 'the late node meets a');
        assert.deepEqual(order, ['peer-up', 'welcome']);
        // The late node never saw a subscribe: only the interest snapshot of the new link can route this.
        let sent = 0;
        await nodes.until(() => {
          if (got.length === 0) late.publish('early', sent++);
          return got.length > 0;
        }, "the late node's publish reaches the earlier subscriber");
        assert.equal(got[0]?.from, late.nodeId);
      },
    ),
  ];
}

interface Received {
  subject: string;
  payload: unknown;
  from: string;
}

/** The nodes of one case, and what they heard. */
interface Nodes {
  /** `count` nodes, started, each seeing all the others as peers. */
  meshed(count: 1): Promise<[RequestingTransport]>;
  meshed(count: 2): Promise<[RequestingTransport, RequestingTransport]>;
  meshed(count: 3): Promise<[RequestingTransport, RequestingTransport, RequestingTransport]>;
  /** One more node of the cluster, not started. */
  created(): RequestingTransport;
  messages(node: RequestingTransport): Received[];
  /** The first argument of each `event` the node emits (a node id, or a topic). */
  events(node: RequestingTransport, event: 'peer-up' | 'peer-down' | 'broadcast'): string[];
  until(condition: () => boolean, what: string): Promise<void>;
}

async function withNodes(
  options: TransportContractOptions,
  within: number,
  body: (nodes: Nodes) => Promise<void>,
): Promise<void> {
  const cluster = await options.newCluster();
  const all: RequestingTransport[] = [];
  const until = (condition: () => boolean, what: string): Promise<void> => waitUntil(condition, what, within);
  const created = (): RequestingTransport => {
    const node = cluster.node();
    all.push(node);
    return node;
  };
  const meshed = async (count: number): Promise<RequestingTransport[]> => {
    const started = Array.from({ length: count }, created);
    await Promise.all(started.map((node) => node.start()));
    await until(() => started.every((node) => node.peers().length === count - 1), `${count} nodes see each other`);
    return started;
  };
  const nodes: Nodes = {
    created,
    // The overloads only narrow the tuple's length; the array has exactly `count` nodes.
    meshed: meshed as Nodes['meshed'],
    messages(node) {
      const received: Received[] = [];
      node.on('message', (subject, payload, from) => received.push({ subject, payload, from }));
      return received;
    },
    events(node, event) {
      const seen: string[] = [];
      const record = (first: string): void => void seen.push(first);
      if (event === 'broadcast') node.on('broadcast', record);
      else if (event === 'peer-up') node.on('peer-up', record);
      else node.on('peer-down', record);
      return seen;
    },
    until,
  };
  try {
    await body(nodes);
  } finally {
    await Promise.all(all.map((node) => node.close()));
  }
}

/** Polls `condition` every 10 ms; rejects naming `what` at the deadline. Never a fixed sleep. */
async function waitUntil(condition: () => boolean, what: string, deadlineMs: number): Promise<void> {
  const deadline = performance.now() + deadlineMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${deadlineMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
