import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One webhook event as the app received it (the fields the lab asserts on). */
export interface ReceivedWebhookEvent {
  readonly name: string;
  readonly channel: string;
  readonly user_id?: string;
}

/**
 * The app's webhook endpoint, on the client host: the servers post to the client host's
 * address, so a cut between a server and the client host holds its webhooks back as well.
 */
export class WebhookReceiver {
  readonly events: ReceivedWebhookEvent[] = [];
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Listens on `address`, port 0; resolves with the receiver and its port. */
  static async listen(address: string): Promise<{ receiver: WebhookReceiver; port: number }> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        receiver.#record(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200).end();
      });
    });
    const receiver = new WebhookReceiver(server);
    await new Promise<void>((resolve) => server.listen(0, address, resolve));
    return { receiver, port: (server.address() as AddressInfo).port };
  }

  close(): void {
    this.#server.closeAllConnections();
    this.#server.close();
  }

  #record(body: string): void {
    try {
      const parsed = JSON.parse(body) as { events?: ReceivedWebhookEvent[] };
      this.events.push(...(parsed.events ?? []));
    } catch {
      // Not a webhook body: nothing the lab asserts on.
    }
  }
}
