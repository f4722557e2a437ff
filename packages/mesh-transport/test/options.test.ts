import test from 'ava';
import { formatAddress, parseAddress } from '../src/address.js';
import { meshDefaults, openMeshWarning, resolveOptions } from '../src/options.js';

test('defaults are the documented ones', (t) => {
  const options = resolveOptions();
  t.is(options.port, 11002);
  t.is(options.host, '127.0.0.1');
  t.is(options.checkIntervalMs, 500);
  t.is(options.nodeTimeoutMs, 2000);
  t.is(options.masterTimeoutMs, 2000);
  t.is(options.maxFrameBytes, meshDefaults.maxFrameBytes);
  t.deepEqual(options.seeds, []);
});

test('seeds are parsed, IPv6 in brackets', (t) => {
  const options = resolveOptions({ seeds: ['10.0.0.1:11002', 'mesh.default.svc:7000', '[::1]:9000'] });
  t.deepEqual(options.seeds, [
    { host: '10.0.0.1', port: 11002 },
    { host: 'mesh.default.svc', port: 7000 },
    { host: '::1', port: 9000 },
  ]);
  t.is(formatAddress({ host: '::1', port: 9000 }), '[::1]:9000');
});

test("bad values are refused with the option's name", (t) => {
  t.throws(() => resolveOptions({ port: 70000 }), { message: /port/ });
  t.throws(() => resolveOptions({ checkIntervalMs: 0 }), { message: /checkIntervalMs/ });
  t.throws(() => resolveOptions({ checkIntervalMs: 500, nodeTimeoutMs: 400 }), { message: /nodeTimeoutMs/ });
  t.throws(() => resolveOptions({ seeds: ['nohost'] }), { message: /nohost/ });
  t.throws(() => parseAddress('host:0'), { message: /host:0/ });
});

test('an open mesh beyond loopback is warned about; loopback or a secret is not', (t) => {
  t.regex(openMeshWarning({ host: '0.0.0.0', secret: '' }) ?? '', /no secret/);
  t.regex(openMeshWarning({ host: '10.1.2.3', secret: '' }) ?? '', /no secret/);
  t.is(openMeshWarning({ host: '0.0.0.0', secret: 's' }), undefined);
  t.is(openMeshWarning({ host: '127.0.0.1', secret: '' }), undefined);
  t.is(openMeshWarning({ host: '::1', secret: '' }), undefined);
});
