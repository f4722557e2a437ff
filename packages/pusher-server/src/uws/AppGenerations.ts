import type { TemplatedApp } from 'uWebSockets.js';

const NONE: readonly TemplatedApp[] = Object.freeze([]);

/**
 * The uWS apps of one server: the one that listens now, and earlier ones whose sockets are still
 * open. uWS cannot change the certificate of a listening `SSLApp`, so a TLS reload starts a new
 * app on the same port and leaves the old connections where they are. Each app has its own topic
 * tree: a publish goes to every generation (one in the usual case, so nothing changes then).
 */
export class AppGenerations {
  #apps: readonly TemplatedApp[];

  constructor(first: TemplatedApp) {
    this.#apps = [first];
  }

  get current(): TemplatedApp {
    return this.#apps[this.#apps.length - 1] as TemplatedApp;
  }

  get all(): readonly TemplatedApp[] {
    return this.#apps;
  }

  add(app: TemplatedApp): void {
    this.#apps = [...this.#apps, app];
  }

  publish(topic: string, frame: string, isBinary: boolean, compress: boolean): boolean {
    for (const app of this.#apps) app.publish(topic, frame, isBinary, compress);
    return true;
  }

  numSubscribers(topic: string): number {
    let total = 0;
    for (const app of this.#apps) total += app.numSubscribers(topic);
    return total;
  }

  /** The apps a socket of `app` does not reach with its own `ws.publish`. */
  othersThan(app: TemplatedApp): readonly TemplatedApp[] {
    return this.#apps.length === 1 ? NONE : this.#apps.filter((other) => other !== app);
  }
}
