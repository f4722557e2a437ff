import test from 'ava';
import { findLink, HEADLESS_NAME, hostsFile, LAB_PREFIX, linksOf, planLab } from '../../src/plan.js';

test('every host gets a namespace with the lab prefix and its own address in 198.18.0.0/15', (t) => {
  const plan = planLab(['a', 'b', 'c']);
  t.deepEqual(
    plan.hosts.map((h) => [h.name, h.namespace, h.address, h.role]),
    [
      ['a', `${LAB_PREFIX}a`, '198.18.0.1', 'server'],
      ['b', `${LAB_PREFIX}b`, '198.18.0.2', 'server'],
      ['c', `${LAB_PREFIX}c`, '198.18.0.3', 'server'],
      ['client', `${LAB_PREFIX}client`, '198.18.0.4', 'client'],
    ],
  );
});

test('every pair of hosts has its own link, named after the peer on each side', (t) => {
  const plan = planLab(['a', 'b', 'c']);
  t.is(plan.links.length, 6, '4 hosts: 6 pairs');
  const ab = findLink(plan, 'b', 'a');
  t.deepEqual([ab.a.name, ab.aInterface, ab.b.name, ab.bInterface], ['a', 'to-b', 'b', 'to-a']);
  t.deepEqual(
    linksOf(plan, 'c').map((l) => `${l.a.name}-${l.b.name}`),
    ['a-c', 'b-c', 'c-client'],
  );
  t.throws(() => findLink(plan, 'a', 'z'), { message: /no lab link between "a" and "z"/ });
});

test('bad host names are refused with the reason', (t) => {
  t.throws(() => planLab(['A']), { message: /invalid lab host name "A"/ });
  t.throws(() => planLab(['averylongname']), { message: /invalid lab host name/ });
  t.throws(() => planLab(['a', 'a']), { message: /must be distinct/ });
  t.throws(() => planLab(['a'], 'a'), { message: /must be distinct/ });
  t.throws(() => planLab([]), { message: /at least one server/ });
});

test('the hosts file names every host and resolves the headless name to the listed servers', (t) => {
  const plan = planLab(['a', 'b', 'c']);
  const lines = hostsFile(plan, ['a', 'c']).trim().split('\n');
  t.true(lines.includes('127.0.0.1 localhost'));
  t.true(lines.includes('198.18.0.2 b.lab'));
  t.true(lines.includes('198.18.0.4 client.lab'));
  t.deepEqual(
    lines.filter((line) => line.endsWith(` ${HEADLESS_NAME}`)),
    [`198.18.0.1 ${HEADLESS_NAME}`, `198.18.0.3 ${HEADLESS_NAME}`],
  );
  t.throws(() => hostsFile(plan, ['x']), { message: /no lab host "x"/ });
});
