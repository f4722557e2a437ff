/**
 * Rendezvous (highest random weight) hashing: every node ranks the same candidates for a key
 * the same way, with no coordination, and when the winner leaves only its keys move.
 * Used to pick the one node that sends a channel's webhooks.
 */
export function rendezvousWinner(nodeIds: readonly string[], key: string): string | undefined {
  let winner: string | undefined;
  let best = -1;
  for (const nodeId of nodeIds) {
    const score = hash32(`${nodeId}\u0000${key}`);
    if (score > best || (score === best && winner !== undefined && nodeId > winner)) {
      best = score;
      winner = nodeId;
    }
  }
  return winner;
}

/** FNV-1a over UTF-16 code units, then murmur3's finalizer so close inputs spread well. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
