import { randomInt } from 'node:crypto';

/**
 * Makes socket ids of the form the `pusher` SDK accepts (`^\d+\.\d+$`). The random first part
 * differs per process, so ids stay unique across the nodes of a cluster without coordination.
 */
export function createSocketIdGenerator(): () => string {
  const processPart = randomInt(1, 2 ** 31);
  let counter = 0;
  return () => `${processPart}.${++counter}`;
}
