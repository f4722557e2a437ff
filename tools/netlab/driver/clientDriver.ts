/**
 * The client host's driver: runs inside the lab's client namespace (started by the test with
 * `ip netns exec`), holds the pusher-js clients and the `pusher` SDK there, and answers one JSON
 * command per stdin line with one JSON reply per stdout line: `{id, ok, result}` or
 * `{id, ok: false, error}`. It exits when stdin closes, so it never outlives the test.
 */
import { lookup } from 'node:dns/promises';
import { createInterface } from 'node:readline';
import { DriverClient, SERVER_PORT, sdkFor } from './clients.js';
import { Load, type LoadOptions } from './load.js';
import { WebhookReceiver } from './webhooks.js';

interface Command {
  id: number;
  op: string;
  [key: string]: unknown;
}

const clients = new Map<string, DriverClient>();
let load: Load | undefined;
let webhooks: WebhookReceiver | undefined;

function client(name: unknown): DriverClient {
  const found = clients.get(String(name));
  if (found === undefined) throw new Error(`no client "${String(name)}"`);
  return found;
}

const handlers: Record<string, (command: Command) => Promise<unknown> | unknown> = {
  async open({ name, address, user }) {
    if (clients.has(String(name))) throw new Error(`client "${String(name)}" exists`);
    const opened = new DriverClient(String(address), user === undefined ? undefined : String(user));
    clients.set(String(name), opened);
    await opened.connected(10_000);
    return opened.pusher.connection.socket_id;
  },
  async subscribe({ name, channel }) {
    await client(name).subscribe(String(channel), 10_000);
    return null;
  },
  members: ({ name, channel }) => client(name).members(String(channel)),
  presenceLog: ({ name, channel }) => client(name).presence.get(String(channel)) ?? { added: [], removed: [] },
  listen({ name, channel, event }) {
    client(name).listen(String(channel), String(event));
    return null;
  },
  received: ({ name, channel, event }) => client(name).received(String(channel), String(event)),
  state: ({ name }) => client(name).pusher.connection.state,
  close({ name }) {
    client(name).close();
    clients.delete(String(name));
    return null;
  },
  /** What a name resolves to here, as the mesh's seed lookup sees it. */
  async lookup({ name }) {
    return (await lookup(String(name), { all: true, family: 4 })).map(({ address }) => address).sort();
  },
  /** A plain GET of a server endpoint (`/cluster`, `/usage`), JSON decoded. */
  async get({ address, path }) {
    const response = await fetch(`http://${String(address)}:${SERVER_PORT}${String(path)}`, {
      signal: AbortSignal.timeout(3000),
    });
    return { status: response.status, body: await response.json() };
  },
  /** A signed REST read through the `pusher` SDK. */
  async rest({ address, path, params }) {
    const response = await sdkFor(String(address), 3000).get({
      path: String(path),
      params: (params ?? {}) as Record<string, string>,
    });
    return response.json();
  },
  async trigger({ address, channel, event, data }) {
    const response = await sdkFor(String(address), 3000).trigger(String(channel), String(event), data);
    return response.status;
  },
  /** Starts the app's webhook endpoint on this host's `address`; returns its port. */
  async webhooksListen({ address }) {
    if (webhooks !== undefined) throw new Error('the webhook receiver is running');
    const listening = await WebhookReceiver.listen(String(address));
    webhooks = listening.receiver;
    return listening.port;
  },
  /** Every webhook event received so far, in arrival order. */
  webhookEvents: () => webhooks?.events ?? [],
  async loadStart(command) {
    if (load !== undefined) throw new Error('a load is running');
    load = new Load(command as unknown as LoadOptions);
    await load.start();
    return null;
  },
  async loadStop() {
    if (load === undefined) throw new Error('no load is running');
    const running = load;
    load = undefined;
    return running.stop();
  },
};

async function answer(line: string): Promise<void> {
  let id = -1;
  try {
    const command = JSON.parse(line) as Command;
    id = command.id;
    const handler = handlers[command.op];
    if (handler === undefined) throw new Error(`unknown op "${command.op}"`);
    reply({ id, ok: true, result: (await handler(command)) ?? null });
  } catch (error) {
    reply({ id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
}

function reply(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

createInterface({ input: process.stdin })
  .on('line', (line) => void answer(line))
  .on('close', () => {
    for (const opened of clients.values()) opened.close();
    webhooks?.close();
    process.exit(0);
  });
reply({ id: 0, ok: true, result: 'ready' });
