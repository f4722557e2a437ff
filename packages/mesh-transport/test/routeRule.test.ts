import test from 'ava';
import { resolveDuplicateRoutes, type RouteCandidate } from '../src/routeRule.js';

interface Named extends RouteCandidate {
  readonly name: string;
}

const route = (name: string, dialerId: string, openedAt: number, state: RouteCandidate['state']): Named => ({
  name,
  dialerId,
  openedAt,
  state,
});

test('when two nodes dial each other at once, the route dialled by the lower node id wins', (t) => {
  const fromLow = route('low', 'aaaa', 2, 'authenticated');
  const fromHigh = route('high', 'bbbb', 1, 'authenticated');
  const verdict = resolveDuplicateRoutes([fromHigh, fromLow]);
  t.is(verdict.keep, fromLow);
  t.deepEqual(verdict.close, [fromHigh]);
});

test('the verdict does not depend on the order the routes are listed in', (t) => {
  const a = route('a', 'aaaa', 5, 'authenticated');
  const b = route('b', 'bbbb', 1, 'authenticated');
  t.is(resolveDuplicateRoutes([a, b]).keep, a);
  t.is(resolveDuplicateRoutes([b, a]).keep, a);
});

test('a route that is already up stays and every authenticated newcomer is closed', (t) => {
  const up = route('up', 'bbbb', 1, 'up');
  const newer = route('newer', 'aaaa', 2, 'authenticated');
  const verdict = resolveDuplicateRoutes([newer, up]);
  t.is(verdict.keep, undefined);
  t.deepEqual(verdict.close, [newer]);
});

test('waits while the winning route (dialled by the lower id) is still in its handshake', (t) => {
  const pendingLow = route('pending', 'aaaa', 3, 'pending');
  const readyHigh = route('ready', 'bbbb', 1, 'authenticated');
  const verdict = resolveDuplicateRoutes([pendingLow, readyHigh]);
  t.is(verdict.keep, undefined);
  t.deepEqual(verdict.close, []);
});

test("the winner is chosen once the lower id's dial is gone", (t) => {
  const readyHigh = route('ready', 'bbbb', 1, 'authenticated');
  t.is(resolveDuplicateRoutes([readyHigh]).keep, readyHigh);
});

test('between two dials of the same node the older one wins', (t) => {
  const older = route('older', 'aaaa', 1, 'authenticated');
  const newer = route('newer', 'aaaa', 2, 'authenticated');
  const verdict = resolveDuplicateRoutes([newer, older]);
  t.is(verdict.keep, older);
  t.deepEqual(verdict.close, [newer]);
});

test('nothing to decide without an authenticated route', (t) => {
  t.deepEqual(resolveDuplicateRoutes([]), { keep: undefined, close: [] });
  t.deepEqual(resolveDuplicateRoutes([route('p', 'a', 1, 'pending')]), { keep: undefined, close: [] });
});
