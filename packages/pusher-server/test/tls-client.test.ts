import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { httpsGet, TestCa, type CertFiles } from '@meshpush/test-support';
import type { SslConfig } from '../src/index.js';
import { startServer } from './support/embeddedServer.js';

const scenarioScript = fileURLToPath(new URL('./support/tlsClientScenario.ts', import.meta.url));

function ssl(files: CertFiles, extra: Partial<SslConfig> = {}): SslConfig {
  return { certFile: files.certFile, keyFile: files.keyFile, passphrase: '', caFile: '', ...extra };
}

test('pusher-js (forceTLS) and the pusher SDK (useTLS) connect, subscribe, trigger and use presence over TLS', async (t) => {
  const ca = TestCa.create(t);
  const server = await startServer(t, { ssl: ssl(ca.issue('meshpush-test')) });
  // The clients run in a process of their own: NODE_EXTRA_CA_CERTS is how a Node client trusts a
  // private CA (pusher-js gives no way to pass one), and it is read only at process start.
  const run = await promisify(execFile)(process.execPath, ['--import=tsx', scenarioScript, String(server.port)], {
    env: { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: ca.caFile },
    timeout: 30_000,
  }).catch((error: { stdout?: string; stderr?: string }) => ({
    stdout: error.stdout ?? '',
    stderr: error.stderr ?? '',
  }));
  const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as Record<string, any>;
  t.is(result['error'], undefined, `${run.stdout}\n${run.stderr}`);
  t.regex(String(result['socketId']), /^\d+\.\d+$/);
  t.is(result['triggerStatus'], 200);
  t.deepEqual(result['received'], { hello: 'over wss' });
  t.deepEqual(result['presence'], { aliceSaw: 1, bobSaw: 2, added: 'bob', users: ['alice', 'bob'] });
});

test('ssl.caFile (uWS ca_file_name, as in soketi): clients without a certificate connect, a certificate from another CA is refused', async (t) => {
  const ca = TestCa.create(t);
  const foreign = TestCa.create(t, 'foreign-ca').issue('stranger');
  const caPem = readFileSync(ca.caFile, 'utf8');
  const server = await startServer(t, { ssl: ssl(ca.issue('with-ca'), { caFile: ca.caFile }) });
  t.is((await httpsGet({ port: server.port, ca: caPem })).status, 200);
  const member = ca.issue('member');
  const memberCert = { cert: readFileSync(member.certFile), key: readFileSync(member.keyFile) };
  t.is((await httpsGet({ port: server.port, ca: caPem, ...memberCert })).status, 200);
  await t.throwsAsync(
    httpsGet({
      port: server.port,
      ca: caPem,
      cert: readFileSync(foreign.certFile),
      key: readFileSync(foreign.keyFile),
    }),
    { message: /unknown ca/i },
  );
});
