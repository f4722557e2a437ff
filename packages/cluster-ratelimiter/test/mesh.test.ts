import test from 'ava';
import { ClusterRateLimiter } from '../src/index.js';
import { startMeshes } from './support/mesh.js';

const KEY = 'app-1:backend_events';
const LIMIT = 100;

/**
 * Offers each limiter its load in real time for `durationMs` (a bounded load window, not a
 * wait for a condition) and returns the admitted count per limiter.
 */
async function hammer(
  limiters: readonly ClusterRateLimiter[],
  loadsPerSec: readonly number[],
  durationMs: number,
): Promise<number[]> {
  const admitted = limiters.map(() => 0);
  const offered = limiters.map(() => 0);
  const start = performance.now();
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= durationMs) break;
    limiters.forEach((limiter, i) => {
      const due = Math.floor(((loadsPerSec[i] ?? 0) * elapsed) / 1000);
      for (; offered[i]! < due; offered[i]!++) if (limiter.consume(KEY, 1, LIMIT).allowed) admitted[i]!++;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return admitted;
}

test('three real mesh nodes with uneven load keep one global limit', async (t) => {
  const meshes = await startMeshes(t, 3);
  const limiters = meshes.map((mesh) => new ClusterRateLimiter(mesh));
  t.teardown(() => Promise.all(limiters.map((l) => l.close())));
  const seconds = 3;
  const admitted = await hammer(limiters, [1400, 400, 200], seconds * 1000);
  const total = admitted.reduce((a, b) => a + b, 0);
  t.log(`admitted ${total} in ${seconds} s (limit ${LIMIT}/s + burst ${LIMIT}); per node ${admitted.join('/')}`);
  t.true(total <= LIMIT * seconds * 1.1 + LIMIT + 3, `${total}`);
  t.true(total >= LIMIT * seconds * 0.9, `${total}`);
});

test('a node that leaves frees its share for the others', async (t) => {
  const meshes = await startMeshes(t, 3);
  const limiters = meshes.map((mesh) => new ClusterRateLimiter(mesh));
  t.teardown(() => Promise.all(limiters.map((l) => l.close())));
  await hammer(limiters, [1000, 300, 300], 1000);
  await limiters[0]!.close();
  await meshes[0]!.close();
  const admitted = await hammer(limiters.slice(1), [300, 300], 2000);
  const total = admitted.reduce((a, b) => a + b, 0);
  t.log(`survivors admitted ${total} in 2 s`);
  t.true(total <= LIMIT * 2 * 1.1 + LIMIT + 3, `${total}`);
  t.true(total >= LIMIT * 2 * 0.9, `${total}`);
});
