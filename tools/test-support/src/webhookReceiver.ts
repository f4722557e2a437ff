import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Pusher from 'pusher';
import type { TeardownHost } from './certs.js';
import { DEFAULT_APP } from './pusher.js';
import { waitFor } from './wait.js';

/** One request the receiver got, checked with the `pusher` SDK as an app's receiver would. */
export interface ReceivedWebhook {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** `pusher.webhook({headers, rawBody}).isValid()` with the app's key and secret. */
  readonly valid: boolean;
  readonly timeMs: number;
  readonly events: Array<Record<string, unknown> & { name: string; channel: string }>;
  /** The status the receiver answered with. */
  readonly status: number;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port><path>`. */
  url(path?: string): string;
  readonly received: ReceivedWebhook[];
  /** Requests that arrived and were never answered ('hang'). */
  hanging(): number;
  /** Every event of every request answered 2xx, with the path it came to. */
  delivered(): Array<ReceivedWebhook['events'][number] & { path: string }>;
  /** Answers the next `count` requests with `status` (then 200 again); 'hang' never answers. */
  failNext(count: number, status?: number | 'hang'): void;
  /** Waits until `delivered()` satisfies `check`. */
  waitFor(
    check: (events: ReturnType<WebhookReceiver['delivered']>) => boolean,
    message: string,
    timeoutMs?: number,
  ): Promise<void>;
}

const sdk = new Pusher({ ...DEFAULT_APP, host: '127.0.0.1' });

/** A real HTTP webhook receiver on 127.0.0.1, port 0, closed at teardown. */
export async function startReceiver(t: TeardownHost): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const failures: Array<number | 'hang'> = [];
  let hanging = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const failure = failures.shift();
      if (failure === 'hang') {
        hanging++;
        return;
      }
      const status = failure ?? 200;
      received.push(parse(req.url ?? '/', req.headers, rawBody, status));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const delivered = () =>
    received.filter((r) => r.status < 300).flatMap((r) => r.events.map((e) => ({ ...e, path: r.path })));
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    received,
    hanging: () => hanging,
    delivered,
    failNext: (count, status = 500) => failures.push(...Array<number | 'hang'>(count).fill(status)),
    waitFor: (check, message, timeoutMs = 10_000) =>
      waitFor(() => check(delivered()), { message, timeoutMs }).then(() => undefined),
  };
}

function parse(path: string, headers: IncomingHttpHeaders, rawBody: string, status: number): ReceivedWebhook {
  const webhook = sdk.webhook({ headers: headers as Record<string, string>, rawBody });
  const valid = webhook.isValid();
  const body = valid
    ? { time_ms: webhook.getTime().getTime(), events: webhook.getEvents() }
    : { time_ms: 0, events: [] };
  return {
    path,
    headers,
    rawBody,
    valid,
    timeMs: body.time_ms,
    events: body.events as unknown as ReceivedWebhook['events'],
    status,
  };
}

/** `name:channel[:user_id]` of each event, for compact assertions. */
export function summary(events: ReadonlyArray<{ name: string; channel: string; user_id?: unknown }>): string[] {
  return events.map((e) => [e.name, e.channel, e.user_id].filter((part) => part !== undefined).join(':'));
}
