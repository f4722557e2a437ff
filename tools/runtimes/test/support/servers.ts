import { fileURLToPath } from 'node:url';
import { waitFor, type WatchedProcess } from '@meshpush/test-support';
import type { RuntimeRoot } from '../../src/index.js';

/** The checkout, bind-mounted at the same path inside the root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url)).replace(/\/$/, '');
const CLI = `${REPO_ROOT}/apps/server/dist/cli.js`;

/** A meshpush process running inside a root. */
export interface ChrootedServer {
  readonly port: number;
  readonly process: WatchedProcess;
}

/** Starts the built CLI inside `root` with `env`; resolves once it printed its ready line. */
export async function startServer(root: RuntimeRoot, env: Readonly<Record<string, string>>): Promise<ChrootedServer> {
  const watched = root.spawnNode([CLI, 'start'], { HOST: '127.0.0.1', ...env });
  const ready = await waitFor(
    () => {
      if (watched.done()) throw new Error(`meshpush exited:\n${watched.output()}`);
      return /meshpush ready (\{.*\})/.exec(watched.output()) ?? undefined;
    },
    { timeoutMs: 20_000, message: 'the ready line' },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n--- output ---\n${watched.output()}`);
  });
  const { port } = JSON.parse(ready?.[1] ?? '{}') as { port: number };
  return { port, process: watched };
}

/** The peers of a node as its `GET /cluster` lists them. */
export async function peerCount(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/cluster`);
  const body = (await response.json()) as { transport?: { peers?: unknown[] } };
  return body.transport?.peers?.length ?? 0;
}
