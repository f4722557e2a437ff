import test from 'ava';
import type { Page } from 'playwright-core';
import { authorizedClient, freePort, pusherClient, pusherSdk, subscribed, waitFor } from '@meshpush/test-support';
import { createServer } from '../src/PusherServer.js';
import { launchBrowser, loopbackPage, OUTPUT_DIR } from './support/browser.js';
import { routes, startMeshNode, TOKEN } from './support/debugConsole.js';

const consoleUrl = (metricsPort: number) => `http://127.0.0.1:${metricsPort}/console/`;

async function login(page: Page, metricsPort: number, token = TOKEN): Promise<void> {
  await page.goto(consoleUrl(metricsPort));
  await page.getByLabel('token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Log rows of one kind from one node (and channel), as the page shows them. */
const rows = (page: Page, kind: string, node: string) => page.locator(`tr[data-kind="${kind}"][data-node="${node}"]`);

test.serial('the console is absent when disabled; a wrong token is refused, the right one logs in', async (t) => {
  const browser = await launchBrowser(t);
  const page = await loopbackPage(browser);
  const off = createServer({ host: '127.0.0.1', port: 0, metrics: { enabled: true, host: '127.0.0.1', port: 0 } });
  await off.start();
  t.teardown(() => off.stop());
  t.is((await page.goto(consoleUrl(off.metricsPort)))?.status(), 404);

  const node = await startMeshNode(t, await freePort());
  await login(page, node.server.metricsPort, 'not-the-token');
  await page.getByTestId('login-error').filter({ hasText: 'Wrong token' }).waitFor({ timeout: 5000 });
  await login(page, node.server.metricsPort);
  await page.getByLabel('app').waitFor({ timeout: 5000 });
  t.is(await page.getByLabel('app').inputValue(), 'app-id');
  t.false((await page.content()).includes('app-secret'));
});

test.serial('a cluster of three: B’s console shows A and C live, creates events, members and filters', async (t) => {
  const clusterPort = await freePort();
  const a = await startMeshNode(t, clusterPort);
  const b = await startMeshNode(t, clusterPort);
  const c = await startMeshNode(t, clusterPort);
  const nodes = [a, b, c];
  await waitFor(async () => (await Promise.all(nodes.map((n) => routes(n.server)))).every((r) => r.length === 2), {
    timeoutMs: 15_000,
    message: 'the mesh of three',
  });

  // No console open: activity on A and C sends no debug record over any route (no PUB at all:
  // nothing here has subscribers on another node) and no node subscribes a debug subject.
  const early = pusherClient(t, a.server);
  await subscribed(early, 'warmup');
  await pusherSdk(a.server).trigger('warmup', 'local', {});
  await pusherSdk(c.server).trigger('nobody-here', 'lost', {});
  await waitFor(async () => (await routes(c.server)).some((r) => r.nodeId === a.nodeId && r.subjects === 1));
  for (const node of nodes) {
    for (const route of await routes(node.server)) {
      t.is(route.framesOutByType['PUB'], 0, `no PUB frame from ${node.nodeId} to ${route.nodeId}`);
      if (route.nodeId !== a.nodeId) t.is(route.subjects, 0, `${route.nodeId} subscribes nothing`);
    }
  }

  const browser = await launchBrowser(t);
  const page = await loopbackPage(browser);
  await login(page, b.server.metricsPort);
  await page.getByTestId('log').waitFor();
  await waitFor(async () => (await routes(a.server)).some((r) => r.nodeId === b.nodeId && r.subjects === 1), {
    message: 'B subscribes the app’s debug subject once its console is open',
  });

  const client = pusherClient(t, a.server);
  const { channel } = await subscribed(client, 'orders');
  await rows(page, 'connection_opened', a.nodeId).first().waitFor({ timeout: 1000 });
  await rows(page, 'subscribed', a.nodeId).filter({ hasText: 'orders' }).waitFor({ timeout: 1000 });

  await pusherSdk(c.server).trigger('orders', 'created', { id: 7 });
  await rows(page, 'api_message', c.nodeId).filter({ hasText: 'created' }).waitFor({ timeout: 2000 });

  const received = new Promise((resolve) => channel.bind('from-console', resolve));
  await page.getByLabel('event channel').fill('orders');
  await page.getByLabel('event name').fill('from-console');
  await page.getByLabel('event data').fill('{"hello":"world"}');
  await page.getByRole('button', { name: 'Send event' }).click();
  t.deepEqual(await received, { hello: 'world' });
  await rows(page, 'api_message', b.nodeId).filter({ hasText: 'from-console' }).waitFor({ timeout: 2000 });

  const alice = authorizedClient(t, a.server, { id: 'alice', info: { name: 'Alice' } });
  await subscribed(alice, 'presence-room');
  await page.getByTestId('channels').getByText('presence-room').click();
  const members = page.getByTestId('members');
  await members.getByText('alice').waitFor({ timeout: 3000 });
  const bob = authorizedClient(t, c.server, { id: 'bob', info: { name: 'Bob' } });
  await subscribed(bob, 'presence-room');
  await members.getByText('bob').waitFor({ timeout: 3000 });
  await rows(page, 'member_added', c.nodeId).waitFor({ timeout: 2000 });
  bob.unsubscribe('presence-room');
  await members.getByText('bob').waitFor({ state: 'detached', timeout: 3000 });
  await rows(page, 'member_removed', c.nodeId).waitFor({ timeout: 2000 });

  await page.getByTestId('nodes').getByText(a.nodeId.slice(0, 8)).waitFor({ timeout: 3000 });
  await page.locator('.chart canvas').first().waitFor({ timeout: 3000 });
  await page.screenshot({ path: `${OUTPUT_DIR}console.png`, fullPage: true });

  const log = page.getByTestId('log').locator('tbody tr');
  await page.getByLabel('kind').selectOption('api_message');
  await waitFor(async () => (await log.count()) === 2, { message: 'two API messages' });
  t.deepEqual(await log.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-kind'))), [
    'api_message',
    'api_message',
  ]);
  await page.getByLabel('kind').selectOption('');
  await page.getByLabel('channel filter').fill('presence-');
  await waitFor(async () => (await log.allTextContents()).every((text) => text.includes('presence-room')));
  t.true((await log.count()) >= 4);
  await page.getByLabel('channel filter').fill('');
  await page.getByLabel('text filter').fill('from-console');
  await waitFor(async () => (await log.count()) === 1, { message: 'one row mentions from-console' });
  await page.getByRole('button', { name: 'Clear' }).click();
  await waitFor(async () => (await log.count()) === 0, { message: 'cleared' });

  await page.close();
  await waitFor(async () => (await routes(a.server)).some((r) => r.nodeId === b.nodeId && r.subjects === 0), {
    message: 'B drops the debug subject once its console closed',
  });
});
