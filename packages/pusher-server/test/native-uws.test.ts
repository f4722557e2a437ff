import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { loadFirst, NativeUwsError } from '../src/uws/nativeUws.js';
import { defaultUwsCandidates, resolveCandidate, type UwsCandidate } from '../src/uws/uwsProviders.js';

const known = ['uWebSockets.js', '@btc-vision/uwebsockets.js', '@trufflesuite/uws-js-unofficial'];
const binaryName = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;

/** An application directory with `node_modules/<name>` made of `files`; removed after the test. */
function fakeApp(t: ExecutionContext, name: string, manifest: object, files: Record<string, string>): string {
  const app = mkdtempSync(join(tmpdir(), 'meshpush-uws-'));
  t.teardown(() => rmSync(app, { recursive: true, force: true }));
  const dir = join(app, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, main: 'uws.js', ...manifest }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return join(app, 'package.json');
}

/** The native binary of whichever registry build loads on this Node (the test's real runtime). */
function loadableBinary(): string {
  const { provider } = loadFirst(defaultUwsCandidates());
  for (const candidate of defaultUwsCandidates()) {
    const found = resolveCandidate(candidate);
    if (found?.name !== provider.package) continue;
    for (const dir of [found.packageDir, join(found.packageDir, 'binaries')]) {
      if (readdirSync(dir).includes(binaryName)) return join(dir, binaryName);
    }
  }
  throw new Error(`no ${binaryName} in ${provider.package}`);
}

test('the default order gives a native build for this Node, and says which', (t) => {
  const { uws, provider } = loadFirst(defaultUwsCandidates());
  t.true(known.includes(provider.package), provider.package);
  t.is(provider.abi, process.versions.modules);
  t.regex(provider.version, /^\d+\.\d+\.\d+/);
  t.is(typeof uws.App, 'function');
});

test('an official build installed in the application comes first', (t) => {
  const from = fakeApp(
    t,
    'uWebSockets.js',
    { version: '20.57.0' },
    { 'uws.js': `module.exports = require('./${binaryName}');` },
  );
  copyFileSync(loadableBinary(), join(from, '..', 'node_modules', 'uWebSockets.js', binaryName));
  const candidates: UwsCandidate[] = [
    { specifier: 'uWebSockets.js', from, officialOnly: true },
    ...defaultUwsCandidates(),
  ];
  const { provider } = loadFirst(candidates);
  t.deepEqual(provider, {
    package: 'uWebSockets.js',
    version: '20.57.0',
    abi: process.versions.modules,
    official: true,
  });
});

test("the application's uWebSockets.js counts as official only under the official name", (t) => {
  const from = fakeApp(
    t,
    'uWebSockets.js',
    { name: 'someone-else', version: '1.0.0' },
    { 'uws.js': 'throw new Error("loaded");' },
  );
  t.throws(() => loadFirst([{ specifier: 'uWebSockets.js', from, officialOnly: true }]), {
    instanceOf: NativeUwsError,
    message: /no uWebSockets\.js package is installed/,
  });
});

test('a JavaScript fallback is refused, and the error names each failure and the working runtimes', (t) => {
  const shim = fakeApp(t, 'shim-uws', { version: '1.0.0' }, { 'uws.js': 'exports.App = () => ({});' });
  const broken = fakeApp(
    t,
    'broken-uws',
    { version: '2.0.0' },
    {
      'uws.js': "throw new Error('banner\\n\\nError: libc.so.6: version `GLIBC_2.38` not found');",
    },
  );
  const error = t.throws(() =>
    loadFirst([
      { specifier: 'broken-uws', from: broken },
      { specifier: 'shim-uws', from: shim },
    ]),
  );
  t.true(error instanceof NativeUwsError);
  const message = error?.message ?? '';
  t.false(message.includes('\n'), 'one line');
  t.regex(message, new RegExp(`Node ${process.version.replace(/\./g, '\\.')} .*ABI ${process.versions.modules}`));
  t.regex(message, /broken-uws@2\.0\.0: Error: libc\.so\.6: version `GLIBC_2\.38` not found;/);
  t.regex(message, /shim-uws@1\.0\.0: only its JavaScript fallback loaded, refused/);
  t.regex(message, /Supported: Node 20, 22, 24 or 25 .*glibc >= 2\.38/);
});
