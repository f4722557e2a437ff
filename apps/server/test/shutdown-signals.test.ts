import { fileURLToPath } from 'node:url';
import test from 'ava';
import {
  cleanEnv,
  pusherClient,
  signalGroup,
  spawnWatched,
  startReceiver,
  subscribed,
  waitFor,
  waitForExit,
  type WatchedProcess,
} from '@meshpush/test-support';
import { webhookEnv } from './webhooks-support.js';

const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
const READY_LINE = /^meshpush ready \{"port":(\d+)/m;

async function readyPort(watched: WatchedProcess): Promise<number> {
  try {
    const match = await waitFor(() => READY_LINE.exec(watched.stdout()) ?? watched.done(), { timeoutMs: 20_000 });
    if (typeof match !== 'boolean') return Number(match[1]);
  } catch {
    // Reported below with the output.
  }
  throw new Error(`no ready line\n--- output ---\n${watched.output()}`);
}

// pnpm forwards the SIGINT it gets to its script, which already got the terminal's own: two
// signals for one key press. The script execs node (no shell left to die of SIGINT, which pnpm
// reported as ELIFECYCLE), and the server takes the copy for the same request.
test('Ctrl+C on `pnpm start`: one drain, exit 0, and pnpm reports no failure', async (t) => {
  // A webhook request that is never answered keeps the drain busy for the grace period, so the
  // forwarded copy arrives while it runs.
  const receiver = await startReceiver(t);
  receiver.failNext(10, 'hang');
  const env = webhookEnv([{ url: receiver.url(), event_types: ['channel_occupied'] }], {
    SHUTDOWN_GRACE_PERIOD: '1500',
  });
  const args = ['start', '--host', '127.0.0.1', '--port', '0'];
  const run = spawnWatched('pnpm', args, { env: cleanEnv(env), cwd: SERVER_DIR, detached: true });
  t.teardown(() => signalGroup(run.child, 'SIGKILL'));
  const port = await readyPort(run);
  await subscribed(pusherClient(t, { port }), 'news');
  await waitFor(() => receiver.hanging() > 0, { message: 'a webhook request in flight' });

  signalGroup(run.child, 'SIGINT');
  t.deepEqual(await waitForExit(run, 15_000), { code: 0, signal: null }, run.output());
  t.regex(run.output(), /SIGINT received: draining[\s\S]*drained; exiting/);
  t.notRegex(run.output(), /SIGINT again|ELIFECYCLE/);
});
