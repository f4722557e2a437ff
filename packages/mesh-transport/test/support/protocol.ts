/** Messages between a test and a mesh child process (test/support/node-process.ts), over IPC. */
import type { MeshOptions, MeshStats } from '../../src/index.js';

export type ChildOptions = Omit<MeshOptions, 'logger'>;

export type ChildCommand =
  | { readonly cmd: 'stats' }
  | { readonly cmd: 'subscribe'; readonly subject: string }
  | { readonly cmd: 'unsubscribe'; readonly subject: string }
  /**
   * Publishes `count` payloads `{ seq, pad }` (pad of `padBytes`), yielding after every `batchBytes`;
   * with `paceOn`, also waits while that peer has more than `batchBytes` queued.
   */
  | {
      readonly cmd: 'publish';
      readonly subject: string;
      readonly count: number;
      readonly firstSeq?: number;
      readonly padBytes?: number;
      readonly batchBytes?: number;
      readonly paceOn?: string;
    }
  | { readonly cmd: 'received'; readonly subject: string }
  | { readonly cmd: 'broadcast'; readonly topic: string; readonly payload: unknown }
  | {
      readonly cmd: 'request';
      readonly target: string;
      readonly topic: string;
      readonly payload: unknown;
      readonly timeoutMs: number;
    }
  | { readonly cmd: 'close' };

export interface Received {
  readonly count: number;
  /** Every payload carried the next `seq` of its sender. */
  readonly inOrder: boolean;
  readonly lastSeq: number;
}

export type ChildEvent =
  | { readonly ev: 'ready'; readonly nodeId: string; readonly stats: MeshStats }
  | { readonly ev: 'peer-up'; readonly nodeId: string; readonly at: number }
  | { readonly ev: 'peer-down'; readonly nodeId: string; readonly reason: string; readonly at: number }
  | {
      readonly ev: 'log';
      readonly level: string;
      readonly message: string;
      readonly fields: unknown;
      readonly at: number;
    }
  | { readonly ev: 'reply'; readonly id: number; readonly result?: unknown; readonly error?: string };

export type { MeshStats };
