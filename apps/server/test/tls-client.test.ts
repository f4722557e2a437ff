import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { WebSocket } from 'ws';
import { runCli, startServer, waitFor, type RunningServer } from './support/server.js';
import { TestCa, type CertFiles } from './tls-support/certs.js';

const scenarioScript = fileURLToPath(new URL('./tls-support/clientScenario.ts', import.meta.url));

function sslEnv(files: CertFiles, extra: Record<string, string> = {}): Record<string, string> {
  return { SSL_CERT: files.certFile, SSL_KEY: files.keyFile, ...extra };
}

/** GET over https trusting only `caFile`: the status and the peer certificate's CN. */
function httpsGet(server: RunningServer, path: string, ca: string): Promise<{ status: number; body: string; cn: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, ca, agent: false }, (res) => {
      let body = '';
      const cn = String((res.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN ?? '');
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cn }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function readCa(ca: TestCa): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(ca.caFile, 'utf8');
}

test('pusher-js (forceTLS) and the pusher SDK (useTLS) connect, subscribe, trigger and use presence over TLS', async (t) => {
  const ca = TestCa.create(t);
  const server = await startServer(t, { env: sslEnv(ca.issue('meshpush-test')) });
  await waitFor(() => /tls: client on/.test(server.output()), { timeoutMs: 5000, message: 'the TLS summary line' });
  const run = await promisify(execFile)(process.execPath, ['--import=tsx', scenarioScript, String(server.port)], {
    env: { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: ca.caFile },
    timeout: 30_000,
  }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }));
  const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as Record<string, any>;
  t.is(result['error'], undefined, `${run.stdout}\n${run.stderr}`);
  t.regex(String(result['socketId']), /^\d+\.\d+$/);
  t.is(result['triggerStatus'], 200);
  t.deepEqual(result['received'], { hello: 'over wss' });
  t.deepEqual(result['presence'], { aliceSaw: 1, bobSaw: 2, added: 'bob', users: ['alice', 'bob'] });
});

test('the TLS listener refuses clear text and serves https with an encrypted key (SSL_PASS / SSL_PASSPHRASE)', async (t) => {
  const ca = TestCa.create(t);
  const caPem = await readCa(ca);
  for (const passName of ['SSL_PASSPHRASE', 'SOKETI_SSL_PASS']) {
    const files = ca.issue(`encrypted-${passName}`, { passphrase: 's3cret' });
    const server = await startServer(t, { env: sslEnv(files, { [passName]: 's3cret' }) });
    const answer = await httpsGet(server, '/', caPem);
    t.is(answer.status, 200);
    t.is(answer.cn, `encrypted-${passName}`);
    const plain = await fetch(`http://127.0.0.1:${server.port}/`).then(() => 'answered', () => 'refused');
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

test('SIGHUP on a client TLS server keeps it and its connections up, and says the certificate needs a restart', async (t) => {
  const ca = TestCa.create(t);
  const caPem = await readCa(ca);
  const server = await startServer(t, { env: sslEnv(ca.issue('before-hup')) });
  const ws = new WebSocket(`wss://127.0.0.1:${server.port}/app/app-key?protocol=7`, { ca: caPem });
  await new Promise((resolve, reject) => {
    ws.once('message', resolve);
    ws.once('error', reject);
  });
  process.kill(server.pid, 'SIGHUP');
  await waitFor(() => /keeps its certificate until the process restarts/.test(server.output()), { timeoutMs: 10_000, message: 'the SIGHUP warning' });
  t.is(ws.readyState, WebSocket.OPEN);
  t.is((await httpsGet(server, '/', caPem)).status, 200);
  ws.close();
});

/** One `meshpush start` that must fail: its exit code and its single stderr line. */
async function refused(env: Record<string, string>): Promise<{ code: number | null; line: string }> {
  const run = await runCli(['start', '--host', '127.0.0.1', '--port', '0'], { env });
  const lines = run.stderr.trim().split('\n').filter((line) => line.trim() !== '');
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
    [sslEnv({ ...good, keyFile: other.keyFile }), new RegExp(`SSL_KEY file ${other.keyFile} does not match the certificate in SSL_CERT file ${good.certFile}`)],
    [sslEnv(encrypted, { SSL_PASSPHRASE: 'wrong' }), new RegExp(`SSL_KEY file ${encrypted.keyFile}: wrong passphrase`)],
    [sslEnv(encrypted), new RegExp(`SSL_KEY file ${encrypted.keyFile} is encrypted: set SSL_PASSPHRASE`)],
    [sslEnv(good, { SSL_CA: missing }), new RegExp(`cannot read SSL_CA file ${missing}`)],
    [meshEnv({ ...good, keyFile: other.keyFile }), new RegExp(`CLUSTER_TLS_KEY file ${other.keyFile} does not match the certificate in CLUSTER_TLS_CERT file ${good.certFile}`)],
    [meshEnv({ ...good, caFile: missing }), new RegExp(`cannot read CLUSTER_TLS_CA file ${missing}`)],
    [meshEnv({ ...good, caFile: garbage }), new RegExp(`CLUSTER_TLS_CA file ${garbage} holds no PEM certificate`)],
  ];
  if (process.getuid?.() !== 0) {
    const unreadable = join(ca.dir, 'unreadable.pem');
    writeFileSync(unreadable, 'x');
    chmodSync(unreadable, 0o000);
    cases.push([sslEnv({ ...good, keyFile: unreadable }), new RegExp(`cannot read SSL_KEY file ${unreadable}: EACCES`)]);
  }
  for (const [env, expected] of cases) {
    const { code, line } = await refused(env);
    t.is(code, 1, line);
    t.regex(line, expected);
  }
});

function meshEnv(files: CertFiles): Record<string, string> {
  return { ADAPTER_DRIVER: 'cluster', CLUSTER_HOST: '127.0.0.1', CLUSTER_PORT: '0', CLUSTER_TLS_CERT: files.certFile, CLUSTER_TLS_KEY: files.keyFile, CLUSTER_TLS_CA: files.caFile };
}
