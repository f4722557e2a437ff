import test from 'ava';
import { defaultCredentialsWarning, isLoopback } from '../src/defaultCredentials.js';
import { startServer } from './support/server.js';

const WARNING = /WARN {2}listening on .*built-in default credentials/g;

function warnings(output: string): string[] {
  return output.match(WARNING) ?? [];
}

test('on loopback with the default app: no warning', async (t) => {
  const server = await startServer(t, { env: { HOST: '127.0.0.1' } });
  t.deepEqual(warnings(server.output()), [], server.output());
});

// Binding 0.0.0.0 (port 0) is the only way to see the warning of the real binary; every request
// of this test still goes to 127.0.0.1.
test('on 0.0.0.0 with the default app: one warning, naming the app and what to set', async (t) => {
  const server = await startServer(t, { args: ['--host', '0.0.0.0'] });
  t.is(warnings(server.output()).length, 1, server.output());
  t.regex(server.output(), /listening on 0\.0\.0\.0, not loopback, .* app app-id \(key and secret\)\./);
  t.regex(server.output(), /Set DEFAULT_APP_KEY and DEFAULT_APP_SECRET .*, or HOST=127\.0\.0\.1/);
  t.notRegex(server.output(), /app-secret/, 'the secret is not echoed');
  t.is((await fetch(`${server.httpBase}/ready`)).status, 200, 'a warning, not a refusal');
});

test('on 0.0.0.0 with a key and secret of your own: no warning', async (t) => {
  const server = await startServer(t, {
    args: ['--host', '0.0.0.0'],
    env: { DEFAULT_APP_KEY: 'k-9f2c', DEFAULT_APP_SECRET: 's-51d0e7' },
  });
  t.deepEqual(warnings(server.output()), [], server.output());
});

test('the warning names each app that keeps the default key or secret', (t) => {
  const apps = [
    { id: 'a', key: 'app-key', secret: 'own-secret' },
    { id: 'b', key: 'own-key', secret: 'app-secret' },
    { id: 'c', key: 'own-key-2', secret: 'own-secret-2' },
  ];
  t.regex(defaultCredentialsWarning({ host: '::', apps }) ?? '', /of app a \(key\), b \(secret\)\./);
  t.is(defaultCredentialsWarning({ host: '127.0.0.1', apps }), undefined);
  t.is(defaultCredentialsWarning({ host: '0.0.0.0', apps: apps.slice(2) }), undefined);
});

test('loopback hosts', (t) => {
  for (const host of ['127.0.0.1', '127.0.1.1', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
    t.true(isLoopback(host), host);
  }
  for (const host of ['0.0.0.0', '::', '10.0.0.5', '127.example.com', 'example.com', '::ffff:10.0.0.1']) {
    t.false(isLoopback(host), host);
  }
});
