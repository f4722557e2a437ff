import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import test from 'ava';
import { WebSocket } from 'ws';
import { freePort, httpsGet, pusherSdk, TestCa, waitFor, type CertFiles } from '@meshpush/test-support';
import { runCli, startServer, type RunningServer } from './support/server.js';

function sslEnv(files: CertFiles, extra: Record<string, string> = {}): Record<string, string> {
  return { SSL_CERT: files.certFile, SSL_KEY: files.keyFile, ...extra };
}

function readCa(ca: TestCa): string {
  return readFileSync(ca.caFile, 'utf8');
}

test('the TLS listener refuses clear text and serves https with an encrypted key (SSL_PASS / SSL_PASSPHRASE)', async (t) => {
  const ca = TestCa.create(t);
  const caPem = readCa(ca);
  for (const passName of ['SSL_PASSPHRASE', 'SOKETI_SSL_PASS']) {
    const files = ca.issue(`encrypted-${passName}`, { passphrase: 's3cret' });
    const server = await startServer(t, { env: sslEnv(files, { [passName]: 's3cret' }) });
    const answer = await httpsGet({ port: server.port, ca: caPem });
    t.is(answer.status, 200);
    t.is(answer.cn, `encrypted-${passName}`);
    const plain = await fetch(`http://127.0.0.1:${server.port}/`).then(
      () => 'answered',
      () => 'refused',
    );
    t.is(plain, 'refused', 'no clear-text HTTP on the TLS port');
    const ws = new WebSocket(`wss://127.0.0.1:${server.port}/app/app-key?protocol=7`, { ca: caPem });
    const established = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
    t.regex(established, /pusher:connection_established/);
    ws.close();
  }
});

/** A raw Pusher protocol client over wss trusting `ca`: its frames, and helpers to speak. */
async function rawClient(
  server: RunningServer,
  ca: string,
): Promise<{ ws: WebSocket; socketId: string; frames: any[]; cn: string }> {
  const ws = new WebSocket(`wss://127.0.0.1:${server.port}/app/app-key?protocol=7`, { ca });
  const frames: any[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  await waitFor(() => frames.some((f) => f.event === 'pusher:connection_established'), {
    timeoutMs: 10_000,
    message: 'connection_established',
  });
  const established = frames.find((f) => f.event === 'pusher:connection_established');
  const socket = (ws as unknown as { _socket: import('node:tls').TLSSocket })._socket;
  return {
    ws,
    socketId: JSON.parse(established.data).socket_id,
    frames,
    cn: String(socket.getPeerCertificate().subject?.CN ?? ''),
  };
}

async function subscribePrivate(
  client: Awaited<ReturnType<typeof rawClient>>,
  sdk: ReturnType<typeof pusherSdk>,
  channel: string,
): Promise<void> {
  const { auth } = sdk.authorizeChannel(client.socketId, channel);
  client.ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth } }));
  await waitFor(
    () => client.frames.some((f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === channel),
    { timeoutMs: 10_000, message: `subscribed to ${channel}` },
  );
}

function gotEvent(client: { frames: any[] }, event: string): Promise<unknown> {
  return waitFor(() => client.frames.some((f) => f.event === event), { timeoutMs: 10_000, message: `event ${event}` });
}

for (const [mode, extraEnv] of [
  ['local adapter, exclusive port', {}],
  ['cluster adapter, shared port', { ADAPTER_DRIVER: 'cluster', CLUSTER_HOST: '127.0.0.1', CLUSTER_PORT: '0' }],
] as const) {
  test(`SIGHUP reloads the client certificate for new connections; open ones stay and still get every event (${mode})`, async (t) => {
    const ca = TestCa.create(t);
    const caPem = readCa(ca);
    const files = ca.issue('before-hup');
    // A fixed port: Linux does not rebind a kernel-picked one (port 0) while its connections live.
    const port = String(await freePort());
    const server = await startServer(t, {
      env: sslEnv(files, { DEFAULT_APP_ENABLE_CLIENT_MESSAGES: 'true', ...extraEnv }),
      args: ['--port', port],
    });
    const sdk = pusherSdk(server, { useTLS: true, agent: new Agent({ ca: caPem }) });
    const old = await rawClient(server, caPem);
    t.is(old.cn, 'before-hup');
    await subscribePrivate(old, sdk, 'private-rotation');

    const renewed = ca.issue('after-hup');
    copyFileSync(renewed.certFile, files.certFile);
    copyFileSync(renewed.keyFile, files.keyFile);
    process.kill(server.pid, 'SIGHUP');
    await waitFor(() => /client TLS reloaded for new connections \(CN=after-hup/.test(server.output()), {
      timeoutMs: 10_000,
      message: 'the reload log line',
    });

    t.is((await httpsGet({ port: server.port, ca: caPem })).cn, 'after-hup');
    const fresh = await rawClient(server, caPem);
    t.is(fresh.cn, 'after-hup');
    await subscribePrivate(fresh, sdk, 'private-rotation');
    t.is(old.ws.readyState, WebSocket.OPEN, 'the connection from before the reload is still open');

    await sdk.trigger('private-rotation', 'from-api', { n: 1 });
    await Promise.all([gotEvent(old, 'from-api'), gotEvent(fresh, 'from-api')]);
    old.ws.send(JSON.stringify({ event: 'client-from-old', channel: 'private-rotation', data: {} }));
    fresh.ws.send(JSON.stringify({ event: 'client-from-new', channel: 'private-rotation', data: {} }));
    await Promise.all([gotEvent(fresh, 'client-from-old'), gotEvent(old, 'client-from-new')]);
    t.false(
      old.frames.some((f) => f.event === 'client-from-old'),
      'no echo to the sender',
    );

    writeFileSync(files.keyFile, 'garbage\n');
    process.kill(server.pid, 'SIGHUP');
    await waitFor(
      () => /client TLS reload failed, keeping the current certificate: SSL_KEY file/.test(server.output()),
      { timeoutMs: 10_000, message: 'the failed reload line' },
    );
    t.is((await httpsGet({ port: server.port, ca: caPem })).cn, 'after-hup');
    old.ws.close();
    fresh.ws.close();
  });
}

test('SIGHUP on a TLS server started on port 0 says a reload needs a fixed port, and keeps serving', async (t) => {
  const ca = TestCa.create(t);
  const caPem = readCa(ca);
  const server = await startServer(t, { env: sslEnv(ca.issue('port-zero')) });
  process.kill(server.pid, 'SIGHUP');
  await waitFor(
    () =>
      /client TLS reload failed, keeping the current certificate: a TLS reload needs a fixed port/.test(
        server.output(),
      ),
    { timeoutMs: 10_000, message: 'the refusal' },
  );
  t.is((await httpsGet({ port: server.port, ca: caPem })).cn, 'port-zero');
});

/** One `meshpush start` that must fail: its exit code and its single stderr line. */
async function refused(env: Record<string, string>): Promise<{ code: number | null; line: string }> {
  const run = await runCli(['start', '--host', '127.0.0.1', '--port', '0'], { env });
  const lines = run.stderr
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '');
  return { code: run.code, line: lines[lines.length - 1] ?? '' };
}

test('bad TLS files stop the start with one line naming the file, exit 1', async (t) => {
  const ca = TestCa.create(t);
  const good = ca.issue('good');
  const other = ca.issue('other');
  const encrypted = ca.issue('encrypted', { passphrase: 'right' });
  const missing = join(ca.dir, 'missing.pem');
  const garbage = join(ca.dir, 'garbage.pem');
  writeFileSync(garbage, 'not a certificate\n');

  const cases: Array<[Record<string, string>, RegExp]> = [
    [sslEnv({ ...good, certFile: missing }), new RegExp(`cannot read SSL_CERT file ${missing}: ENOENT`)],
    [sslEnv({ ...good, keyFile: missing }), new RegExp(`cannot read SSL_KEY file ${missing}: ENOENT`)],
    [sslEnv({ ...good, certFile: garbage }), new RegExp(`SSL_CERT file ${garbage} holds no PEM certificate`)],
    [
      sslEnv({ ...good, keyFile: other.keyFile }),
      new RegExp(`SSL_KEY file ${other.keyFile} does not match the certificate in SSL_CERT file ${good.certFile}`),
    ],
    [sslEnv(encrypted, { SSL_PASSPHRASE: 'wrong' }), new RegExp(`SSL_KEY file ${encrypted.keyFile}: wrong passphrase`)],
    [sslEnv(encrypted), new RegExp(`SSL_KEY file ${encrypted.keyFile} is encrypted: set SSL_PASSPHRASE`)],
    [sslEnv(good, { SSL_CA: missing }), new RegExp(`cannot read SSL_CA file ${missing}`)],
    [
      meshEnv({ ...good, keyFile: other.keyFile }),
      new RegExp(
        `CLUSTER_TLS_KEY file ${other.keyFile} does not match the certificate in CLUSTER_TLS_CERT file ${good.certFile}`,
      ),
    ],
    [meshEnv({ ...good, caFile: missing }), new RegExp(`cannot read CLUSTER_TLS_CA file ${missing}`)],
    [meshEnv({ ...good, caFile: garbage }), new RegExp(`CLUSTER_TLS_CA file ${garbage} holds no PEM certificate`)],
  ];
  if (process.getuid?.() !== 0) {
    const unreadable = join(ca.dir, 'unreadable.pem');
    writeFileSync(unreadable, 'x');
    chmodSync(unreadable, 0o000);
    cases.push([
      sslEnv({ ...good, keyFile: unreadable }),
      new RegExp(`cannot read SSL_KEY file ${unreadable}: EACCES`),
    ]);
  }
  for (const [env, expected] of cases) {
    const { code, line } = await refused(env);
    t.is(code, 1, line);
    t.regex(line, expected);
  }
});

function meshEnv(files: CertFiles): Record<string, string> {
  return {
    ADAPTER_DRIVER: 'cluster',
    CLUSTER_HOST: '127.0.0.1',
    CLUSTER_PORT: '0',
    CLUSTER_TLS_CERT: files.certFile,
    CLUSTER_TLS_KEY: files.keyFile,
    CLUSTER_TLS_CA: files.caFile,
  };
}
