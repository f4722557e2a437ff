import test from 'ava';
import { countLoss, type LoadLog } from '../../src/loss.js';

const log: LoadLog = {
  // seq, server, accepted
  sent: [
    [0, 0, true],
    [1, 1, true],
    [2, 2, false],
    [3, 0, true],
    [4, 1, true],
  ],
  received: [
    [0, 1, 3, 4], // server 0's subscriber
    [0, 1, 1, 4], // server 1's: missed 3, got 1 twice
    [1, 4], // server 2's: cut off from server 0
  ],
  durationMs: 1000,
};

test('only deliveries owed between hosts that stayed reachable count as lost; duplicates are counted', (t) => {
  const cut = (x: number, y: number): boolean => (x === 0 && y === 2) || (x === 2 && y === 0);
  const loss = countLoss(log, (from, to) => !cut(from, to));
  t.is(loss.sent, 5);
  t.is(loss.accepted, 4, 'event 2 was refused by its server');
  t.deepEqual(loss.acceptedPerServer, [2, 2, 0]);
  // events 0 and 3 (server 0) are owed to subscribers 0 and 1; events 1 and 4 (server 1) to all three.
  t.is(loss.expected, 10);
  t.is(loss.lost, 1, 'subscriber 1 missed event 3');
  t.is(loss.duplicates, 1);
  t.is(loss.ratePerSec, 5);
});

test('when everything stayed reachable every accepted event is owed to every subscriber', (t) => {
  const loss = countLoss(log, () => true);
  t.is(loss.expected, 12);
  t.is(loss.lost, 3, 'subscriber 1 missed 3; subscriber 2 missed 0 and 3');
});
