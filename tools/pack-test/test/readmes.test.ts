import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { exampleFiles } from '../src/consumer.js';
import { manifestProblems } from '../src/manifestProblems.js';
import { publishedPackages, repoRoot, type Manifest } from '../src/workspace.js';

// Quick checks of the published packages' sources (run by `pnpm test`); `pnpm test:packages`
// proves the same packages from their tarballs.

const packages = await publishedPackages();
const examplesOf = new Map(await Promise.all(packages.map(async (pkg) => [pkg, await exampleFiles(pkg)] as const)));

test('the five published packages are found, in dependency order', (t) => {
  t.deepEqual(
    packages.map((pkg) => pkg.manifest.name),
    [
      '@meshpush/mesh-transport',
      '@meshpush/broker-transport',
      '@meshpush/cluster-ratelimiter',
      '@meshpush/pusher-server',
      'meshpush',
    ],
  );
});

for (const pkg of packages) {
  const examples = examplesOf.get(pkg) ?? [];
  if (examples.length > 0)
    test(`${pkg.manifest.name}: its README includes every example file verbatim`, async (t) => {
      const readme = await readFile(join(repoRoot, pkg.dir, 'README.md'), 'utf8');
      for (const example of examples) {
        const code = await readFile(join(repoRoot, example), 'utf8');
        t.true(readme.includes('```js\n' + code + '```\n'), `${example} is not in ${pkg.dir}/README.md`);
      }
    });

  test(`${pkg.manifest.name}: LICENSE and CHANGELOG.md exist; publishConfig.exports is exports without source`, async (t) => {
    await t.notThrowsAsync(access(join(repoRoot, pkg.dir, 'LICENSE')));
    await t.notThrowsAsync(access(join(repoRoot, pkg.dir, 'CHANGELOG.md')));
    const { exports, publishConfig } = pkg.manifest;
    if (exports && Object.values(exports).some((target) => typeof target === 'object')) {
      t.deepEqual(publishConfig?.exports, withoutSource(exports));
    } else {
      t.is(publishConfig?.exports, undefined);
    }
  });
}

test('no library reads process.env or exits the process (only the meshpush binary may)', async (t) => {
  const offenders: string[] = [];
  for (const pkg of packages.filter((candidate) => candidate.dir.startsWith('packages/'))) {
    const src = join(repoRoot, pkg.dir, 'src');
    const files = (await readdir(src, { recursive: true })).filter((file) => file.endsWith('.ts'));
    for (const file of files) {
      const code = await readFile(join(src, file), 'utf8');
      if (/process\.env\b|process\.exit\s*\(/.test(code)) offenders.push(`${pkg.dir}/src/${file}`);
    }
  }
  t.deepEqual(offenders, []);
});

test('the library examples are the ones the tarball test expects', (t) => {
  const all = packages.flatMap((pkg) => examplesOf.get(pkg) ?? []);
  t.deepEqual(all, [
    'packages/mesh-transport/examples/two-nodes.mjs',
    'packages/broker-transport/examples/shared-budget-redis.mjs',
    'packages/cluster-ratelimiter/examples/one-process.mjs',
    'packages/cluster-ratelimiter/examples/shared-budget.mjs',
    'packages/pusher-server/examples/cluster-two-nodes.mjs',
    'packages/pusher-server/examples/embedded-server.mjs',
  ]);
});

function withoutSource(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'source')
      .map(([key, inner]) => [key, withoutSource(inner)]),
  );
}

const goodManifest: Manifest = {
  name: '@meshpush/example',
  version: '1.0.0',
  description: 'an example',
  license: 'MIT',
  keywords: ['example'],
  repository: { type: 'git', url: 'git+https://example.invalid/x.git', directory: 'packages/example' },
  type: 'module',
  exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
  bin: { example: './dist/cli.js' },
  engines: { node: '>=20.8.0' },
  dependencies: { '@meshpush/other': '1.0.0' },
};
const goodFiles = ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/cli.js'];

test('manifestProblems: a complete packed manifest has none', (t) => {
  t.deepEqual(manifestProblems(goodManifest, { files: goodFiles }), []);
});

test('manifestProblems: finds what pnpm pack or the files field got wrong', (t) => {
  const problems = manifestProblems(
    {
      ...goodManifest,
      license: 'ISC',
      exports: { '.': { source: './src/index.ts', default: './dist/index.js', types: './dist/index.d.ts' } },
      bin: { example: './dist/missing.js' },
      dependencies: { '@meshpush/other': 'workspace:*' },
    },
    { files: ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'src/index.ts'] },
  );
  t.deepEqual(problems, [
    'license is ISC, not MIT',
    'LICENSE not packed',
    'packs src/index.ts, outside dist/README/LICENSE',
    'dependencies.@meshpush/other is still workspace:*',
    'exports["."] does not start with a types condition',
    'exports["."] still has the workspace-only source condition',
    'bin example points to ./dist/missing.js, which is not packed',
  ]);
});
