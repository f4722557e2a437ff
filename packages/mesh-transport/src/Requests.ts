import type { RequestHandler, RequestReply } from './ClusterTransport.js';

interface PendingRequest {
  readonly targets: readonly string[];
  readonly replies: Map<string, RequestReply>;
  readonly resolve: (replies: RequestReply[]) => void;
  readonly timer: NodeJS.Timeout;
}

/** Sends one REQ frame to a peer; false when it cannot (peer not up). */
export type SendRequest = (nodeId: string, requestId: number) => boolean;

/** Outstanding requests of this node, and the handlers that answer peers' requests. */
export class Requests {
  #nextId = 1;
  readonly #pending = new Map<number, PendingRequest>();
  readonly #handlers = new Map<string, RequestHandler>();

  /** Sends one request to each target through `send`; resolves with one reply per target, failures included, by `timeoutMs` at the latest. */
  start(targets: readonly string[], timeoutMs: number, send: SendRequest): Promise<RequestReply[]> {
    if (targets.length === 0) return Promise.resolve([]);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#settleRest(id, 'timeout'), timeoutMs);
      this.#pending.set(id, { targets, replies: new Map(), resolve, timer });
      for (const nodeId of targets) {
        if (!send(nodeId, id)) this.#record(id, { nodeId, ok: false, error: 'not connected' });
      }
    });
  }

  /** Records a peer's answer to one of this node's requests (late or unknown answers are ignored). */
  onReply(fromNodeId: string, requestId: number, ok: boolean, result: unknown): void {
    const reply: RequestReply = ok
      ? { nodeId: fromNodeId, ok: true, payload: result }
      : { nodeId: fromNodeId, ok: false, error: String(result) };
    this.#record(requestId, reply);
  }

  /** Every request still waiting for `nodeId` gets its failure now. */
  onPeerDown(nodeId: string): void {
    for (const id of [...this.#pending.keys()]) {
      const pending = this.#pending.get(id);
      if (pending?.targets.includes(nodeId)) this.#record(id, { nodeId, ok: false, error: 'peer down' });
    }
  }

  /** Settles every pending request: the targets that have not answered get `"closed"`. */
  closeAll(): void {
    for (const id of [...this.#pending.keys()]) this.#settleRest(id, 'closed');
  }

  /** Sets the handler answering peers' requests on `topic`; returns a function that removes it. */
  handle(topic: string, handler: RequestHandler): () => void {
    if (this.#handlers.has(topic)) throw new Error(`a request handler for "${topic}" is already registered`);
    this.#handlers.set(topic, handler);
    return () => {
      if (this.#handlers.get(topic) === handler) this.#handlers.delete(topic);
    };
  }

  /** Runs the handler of `topic`; resolves with the REP fields `[ok, result]`. */
  async answer(topic: string, payload: unknown, fromNodeId: string): Promise<[ok: boolean, result: unknown]> {
    const handler = this.#handlers.get(topic);
    if (handler === undefined) return [false, `no handler for "${topic}"`];
    try {
      return [true, await handler(payload, fromNodeId)];
    } catch (error) {
      return [false, error instanceof Error ? error.message : String(error)];
    }
  }

  #record(id: number, reply: RequestReply): void {
    const pending = this.#pending.get(id);
    if (pending === undefined || pending.replies.has(reply.nodeId) || !pending.targets.includes(reply.nodeId)) return;
    pending.replies.set(reply.nodeId, reply);
    if (pending.replies.size === pending.targets.length) this.#finish(id, pending);
  }

  #settleRest(id: number, error: string): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    for (const nodeId of pending.targets) {
      if (!pending.replies.has(nodeId)) pending.replies.set(nodeId, { nodeId, ok: false, error });
    }
    this.#finish(id, pending);
  }

  #finish(id: number, pending: PendingRequest): void {
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(pending.targets.map((nodeId) => pending.replies.get(nodeId) as RequestReply));
  }
}
