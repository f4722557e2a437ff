import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { freePort, httpsGet, TestCa } from '@meshpush/test-support';
import { checkSslFiles, createServer, SslFileError, type SslConfig } from '../src/index.js';

/** A test CA whose `issue` gives the server's `ssl` config (the key encrypted with `passphrase`). */
function makeCa(t: ExecutionContext): { dir: string; issue(cn: string, passphrase?: string): SslConfig } {
  const ca = TestCa.create(t, 'ssl-test-ca');
  return {
    dir: ca.dir,
    issue(cn, passphrase) {
      const files = ca.issue(cn, passphrase === undefined ? {} : { passphrase });
      return { certFile: files.certFile, keyFile: files.keyFile, passphrase: passphrase ?? '', caFile: '' };
    },
  };
}

/** The common name of the certificate the server on `port` presents to a new connection. */
async function peerName(port: number, ca: string): Promise<string> {
  return (await httpsGet({ port, ca })).cn;
}

test('checkSslFiles: the certificate on success; one line naming the file for each problem', (t) => {
  const ca = makeCa(t);
  const good = ca.issue('good');
  const other = ca.issue('other');
  const locked = ca.issue('locked', 'pw');
  t.is(checkSslFiles(good).subject, 'CN=good');
  t.is(checkSslFiles(locked).subject, 'CN=locked');
  t.throws(() => checkSslFiles({ ...good, keyFile: other.keyFile }), {
    instanceOf: SslFileError,
    message: /ssl.keyFile file .*other.key does not match the certificate in ssl.certFile file .*good.pem/,
  });
  t.throws(() => checkSslFiles({ ...locked, passphrase: 'nope' }), {
    instanceOf: SslFileError,
    message: /locked.key: wrong passphrase \(ssl.passphrase\)/,
  });
  t.throws(() => checkSslFiles({ ...locked, passphrase: '' }), {
    instanceOf: SslFileError,
    message: /is encrypted: set ssl.passphrase/,
  });
  t.throws(() => checkSslFiles({ ...good, certFile: join(ca.dir, 'none.pem') }), {
    instanceOf: SslFileError,
    message: /cannot read ssl.certFile file .*none.pem: ENOENT/,
  });
  t.throws(() => checkSslFiles({ ...good, keyFile: '' }), {
    instanceOf: SslFileError,
    message: /must be set together/,
  });
});

test('an embedded server speaks TLS, rejects start() on bad files, and reloadTls() swaps the certificate for new connections', async (t) => {
  const ca = makeCa(t);
  const caPem = readFileSync(join(ca.dir, 'ca.pem'), 'utf8');
  const broken = createServer({
    host: '127.0.0.1',
    port: 0,
    ssl: { ...ca.issue('broken'), keyFile: join(ca.dir, 'missing.key') },
  });
  await t.throwsAsync(broken.start(), { instanceOf: SslFileError, message: /cannot read ssl.keyFile/ });

  const first = ca.issue('first');
  const server = createServer({ host: '127.0.0.1', port: await freePort(), ssl: first });
  await server.start();
  t.teardown(() => server.stop());
  t.is(await peerName(server.port, caPem), 'first');
  const second = ca.issue('second');
  copyFileSync(second.certFile, first.certFile);
  copyFileSync(second.keyFile, first.keyFile);
  t.is((await server.reloadTls()).subject, 'CN=second');
  t.is(await peerName(server.port, caPem), 'second');
  writeFileSync(first.keyFile, 'garbage');
  await t.throwsAsync(server.reloadTls(), { instanceOf: SslFileError });
  t.is(await peerName(server.port, caPem), 'second');
});

test('reloadTls() is refused without TLS, and on port 0', async (t) => {
  const plain = createServer({ host: '127.0.0.1', port: 0 });
  await plain.start();
  t.teardown(() => plain.stop());
  await t.throwsAsync(plain.reloadTls(), { message: /started without TLS/ });
  const ca = makeCa(t);
  const tls = createServer({ host: '127.0.0.1', port: 0, ssl: ca.issue('zero') });
  await tls.start();
  t.teardown(() => tls.stop());
  await t.throwsAsync(tls.reloadTls(), { message: /needs a fixed port/ });
});
