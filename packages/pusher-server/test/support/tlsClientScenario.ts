/**
 * Runs pusher-js (Node build, forceTLS) and the `pusher` SDK (useTLS) against a TLS server, in a
 * process of its own: started with NODE_EXTRA_CA_CERTS=<test CA>, which is how a Node client
 * trusts a private CA (pusher-js gives no way to pass one). argv[2] is the port. Prints one JSON
 * line of what happened and exits 0, or prints `{"error": …}` and exits 1.
 */
import { createRequire } from 'node:module';
import Pusher from 'pusher';

type Client = {
  connection: { socket_id: string; state: string; bind(event: string, cb: (data: any) => void): void };
  subscribe(name: string): { bind(event: string, cb: (data: any) => void): void; members: { count: number } };
  disconnect(): void;
};
const PusherClient = createRequire(import.meta.url)('pusher-js') as new (key: string, options: object) => Client;

const port = Number(process.argv[2]);
const sdk = new Pusher({
  appId: 'app-id',
  key: 'app-key',
  secret: 'app-secret',
  host: '127.0.0.1',
  port: String(port),
  useTLS: true,
});

function client(userId: string): Client {
  return new PusherClient('app-key', {
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wssPort: port,
    forceTLS: true,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: {
      customHandler: (
        { socketId, channelName }: { socketId: string; channelName: string },
        callback: (e: unknown, a: unknown) => void,
      ) =>
        callback(null, sdk.authorizeChannel(socketId, channelName, { user_id: userId, user_info: { name: userId } })),
    },
  });
}

function next<T>(target: { bind(event: string, cb: (data: any) => void): void }, event: string): Promise<T> {
  return new Promise((resolve) => target.bind(event, resolve));
}

async function connected(c: Client): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    c.connection.bind('state_change', ({ current }: { current: string }) => {
      if (current === 'connected') resolve();
      if (current === 'unavailable' || current === 'failed') reject(new Error(`pusher-js state ${current}`));
    });
  });
  return c.connection.socket_id;
}

async function scenario(): Promise<Record<string, unknown>> {
  const alice = client('alice');
  const socketId = await connected(alice);
  const news = alice.subscribe('news');
  await next(news, 'pusher:subscription_succeeded');
  const greeting = next<unknown>(news, 'greet');
  const triggerStatus = (await sdk.trigger('news', 'greet', { hello: 'over wss' })).status;
  const received = await greeting;

  const room = alice.subscribe('presence-room');
  await next(room, 'pusher:subscription_succeeded');
  const aliceMembers = { count: room.members.count };
  const joined = next<{ id: string }>(room, 'pusher:member_added');
  const bob = client('bob');
  await connected(bob);
  const bobRoom = bob.subscribe('presence-room');
  await next(bobRoom, 'pusher:subscription_succeeded');
  const bobMembers = { count: bobRoom.members.count };
  const added = await joined;
  const users = (await (await sdk.get({ path: '/channels/presence-room/users' })).json()) as {
    users: { id: string }[];
  };
  alice.disconnect();
  bob.disconnect();
  return {
    socketId,
    triggerStatus,
    received,
    presence: {
      aliceSaw: aliceMembers.count,
      bobSaw: bobMembers.count,
      added: added.id,
      users: users.users.map((u) => u.id).sort(),
    },
  };
}

const deadline = setTimeout(() => {
  process.stdout.write(`${JSON.stringify({ error: 'scenario did not finish within 20 s' })}\n`);
  process.exit(1);
}, 20_000);

scenario().then(
  (result) => {
    clearTimeout(deadline);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    clearTimeout(deadline);
    process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`);
    process.exit(1);
  },
);
