import test from 'ava';
import { Interest } from '../src/Interest.js';

test('local interest is reference counted: only 0→1 and 1→0 report a change', (t) => {
  const interest = new Interest<string>();
  t.true(interest.addLocal('s'));
  t.false(interest.addLocal('s'));
  t.false(interest.removeLocal('s'));
  t.true(interest.hasLocal('s'));
  t.true(interest.removeLocal('s'));
  t.false(interest.hasLocal('s'));
  t.false(interest.removeLocal('s'), 'an unknown subject is ignored');
  t.is(interest.localCount, 0);
});

test('remote interest maps subjects to peers and is dropped whole with the peer', (t) => {
  const interest = new Interest<string>();
  interest.addRemote('p1', ['a', 'b']);
  interest.addRemote('p2', ['b']);
  t.deepEqual([...(interest.peersFor('b') ?? [])].sort(), ['p1', 'p2']);
  interest.removeRemote('p2', ['b']);
  t.deepEqual([...(interest.peersFor('b') ?? [])], ['p1']);
  interest.dropPeer('p1');
  t.is(interest.peersFor('a'), undefined);
  t.is(interest.peersFor('b'), undefined);
  t.is(interest.remoteCount('p1'), 0);
});

test('a repeated SUB from a peer is idempotent', (t) => {
  const interest = new Interest<string>();
  interest.addRemote('p', ['a']);
  interest.addRemote('p', ['a']);
  t.is(interest.remoteCount('p'), 1);
  interest.removeRemote('p', ['a']);
  t.is(interest.peersFor('a'), undefined);
});
