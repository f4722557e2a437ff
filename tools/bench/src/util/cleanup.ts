import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
const finalizers = new Set<() => void>();
let installed = false;

/** Kills `child` (SIGKILL) if this process exits, is interrupted or crashes while it still runs. */
export function track(child: ChildProcess): void {
  installCleanup();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Runs `finalizer` (synchronous, e.g. removing a temp dir) when this process exits; returns its remover. */
export function atExit(finalizer: () => void): () => void {
  installCleanup();
  finalizers.add(finalizer);
  return () => finalizers.delete(finalizer);
}

function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const finalizer of finalizers) {
    try {
      finalizer();
    } catch {
      // Exiting anyway: a failed cleanup step must not stop the others.
    }
  }
  finalizers.clear();
}

function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}: killing ${children.size} child processes\n`);
      killAll();
      process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 129);
    });
  }
}
