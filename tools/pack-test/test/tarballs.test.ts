import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { BrokerProcess } from '@meshpush/test-support';
import {
  consumerEnv,
  copyExamples,
  createConsumers,
  startInGroup,
  stopGroup,
  waitForOutput,
  type Consumer,
  type ConsumerSet,
  type Example,
} from '../src/consumer.js';
import { manifestProblems } from '../src/manifestProblems.js';
import { packedManifest, readManifest, repoRoot, run } from '../src/workspace.js';

// The packages as a user gets them: packed by pnpm, installed by plain npm into empty directories
// outside the workspace (one per package, with only what that package declares), and used from
// there. Needs `pnpm build` first (the root script does it).

/** The clients the pusher-server example uses, at the versions the workspace tests with. */
async function exampleClients(): Promise<Record<string, string>> {
  const devDependencies = (await readManifest(join(repoRoot, 'packages/pusher-server'))).devDependencies ?? {};
  const versions: Record<string, string> = {};
  for (const name of ['pusher', 'pusher-js']) {
    const version = devDependencies[name];
    if (!version) throw new Error(`packages/pusher-server has no devDependency ${name}`);
    versions[name] = version;
  }
  return versions;
}

/** What each package's examples need besides the package: registry packages, or workspace packages by name. */
function extrasFor(clients: Record<string, string>): (pkg: { manifest: { name: string } }) => Record<string, string> {
  return (pkg): Record<string, string> => {
    // The pusher-server consumer type-checks every example, the broker-transport one included.
    if (pkg.manifest.name === '@meshpush/pusher-server')
      return { ...clients, '@meshpush/broker-transport': 'workspace' };
    if (pkg.manifest.name === '@meshpush/broker-transport') return { '@meshpush/cluster-ratelimiter': 'workspace' };
    return {};
  };
}

let consumerSet: ConsumerSet | undefined;
/** The Redis the broker-transport example shares its budget through. */
let redis: BrokerProcess | undefined;

test.before(async () => {
  consumerSet = await createConsumers(extrasFor(await exampleClients()));
  redis = await BrokerProcess.start('redis');
});

test.after.always(async () => {
  await redis?.kill();
  await consumerSet?.dispose();
});

function installed(): ConsumerSet {
  if (!consumerSet) throw new Error('the consumer directories were not created');
  return consumerSet;
}

/** The consumer made for the package an example belongs to. */
function consumerOfExample(source: string): Consumer {
  const consumer = installed().consumers.find((candidate) =>
    candidate.examples.some((example) => example.source === source),
  );
  if (!consumer) throw new Error(`${source} was not copied into any consumer: is the file missing?`);
  return consumer;
}

/** What each README example must print, beyond exiting 0. Every example file needs an entry. */
const expectations: Record<string, (stdout: string) => string | undefined> = {
  'packages/mesh-transport/examples/two-nodes.mjs': (stdout) =>
    /^b got \{"headline":"the mesh is up"\} on news from a$/m.test(stdout)
      ? undefined
      : 'b did not get the message from a',
  'packages/cluster-ratelimiter/examples/one-process.mjs': (stdout) =>
    /call 1: allowed, 1 left\ncall 2: allowed, 0 left\ncall 3: refused, retry in \d+ ms/.test(stdout)
      ? undefined
      : 'not 2 allowed then 1 refused',
  'packages/cluster-ratelimiter/examples/shared-budget.mjs': (stdout) => {
    const match = /admitted (\d+) \(a (\d+), b (\d+)\)/.exec(stdout);
    if (!match) return 'no "admitted" line';
    // One global budget of 50/s over 2 s plus one burst of 50 is 150; each node alone would admit
    // up to 150 (300 together). Generous margins for a loaded machine, still far from 300.
    const [total, a, b] = match.slice(1).map(Number) as [number, number, number];
    if (total > 225) return `admitted ${total}: the nodes did not share one budget`;
    if (a < 5 || b < 5) return `admitted ${total} (a ${a}, b ${b}): a node was starved`;
    return undefined;
  },
  'packages/broker-transport/examples/shared-budget-redis.mjs': (stdout) => {
    const match = /admitted (\d+) \(a (\d+), b (\d+)\)/.exec(stdout);
    if (!match) return 'no "admitted" line';
    // Two processes over Redis: one budget of 50/s over 2 s plus one burst is 150; alone, 300.
    const [total, a, b] = match.slice(1).map(Number) as [number, number, number];
    if (total > 225) return `admitted ${total}: the processes did not share one budget`;
    if (a < 5 || b < 5) return `admitted ${total} (a ${a}, b ${b}): a process was starved`;
    return undefined;
  },
  'packages/pusher-server/examples/embedded-server.mjs': (stdout) =>
    /^listening on 127\.0\.0\.1:\d+\nthe client got \{"text":"hello from an embedded meshpush"\}$/m.test(stdout)
      ? undefined
      : 'the pusher-js client did not get the event',
  'packages/pusher-server/examples/cluster-two-nodes.mjs': (stdout) =>
    /^nodes on ports \d+ and \d+ are meshed\nthe client of a got \{"text":"published on b, delivered by a"\}$/m.test(
      stdout,
    )
      ? undefined
      : 'the client of node a did not get the event published on node b',
};

test.serial('every packed manifest is complete and has no workspace-only range or condition', async (t) => {
  for (const tarball of installed().tarballs) {
    t.deepEqual(manifestProblems(await packedManifest(tarball), tarball), [], tarball.name);
  }
});

test.serial(
  'each consumer has real copies of exactly its tarballs (no workspace links) and a consistent tree',
  async (t) => {
    for (const { name, dir, tarballs } of installed().consumers) {
      for (const tarball of tarballs) {
        const path = join(dir, 'node_modules', tarball.name);
        t.false((await lstat(path)).isSymbolicLink(), `${tarball.name} is a link in the consumer of ${name}`);
        t.is((await readManifest(path)).version, tarball.version);
      }
      const scoped = (await readdir(join(dir, 'node_modules/@meshpush')).catch(() => [] as string[])).map(
        (entry) => `@meshpush/${entry}`,
      );
      const expected = tarballs
        .map((tarball) => tarball.name)
        .filter((tarballName) => tarballName.startsWith('@meshpush/'));
      t.deepEqual(scoped.sort(), expected.sort(), `the consumer of ${name} has other @meshpush packages`);
      await t.notThrowsAsync(
        run('npm', ['ls', '--all'], { cwd: dir, env: consumerEnv(), maxBuffer: 16 * 1024 * 1024 }),
        name,
      );
      const { stdout } = await run('du', ['-sk', 'node_modules'], { cwd: dir });
      t.log(
        `${name}: ${stdout.split('\t')[0]} kB installed${name === '@meshpush/pusher-server' ? ' (with pusher and pusher-js)' : ''}`,
      );
    }
    const brokers = installed().consumerOf('@meshpush/broker-transport');
    for (const native of ['uWebSockets.js', '@trufflesuite', '@btc-vision']) {
      await t.throwsAsync(
        lstat(join(brokers.dir, 'node_modules', native)),
        undefined,
        `${native} is installed with broker-transport`,
      );
    }
    const server = installed().consumerOf('@meshpush/pusher-server');
    const uws = await readManifest(join(server.dir, 'node_modules', 'uWebSockets.js'));
    t.is(uws.name, '@trufflesuite/uws-js-unofficial', 'the uWebSockets.js alias resolved through npm');
  },
);

test.serial('every example file has an expectation, and every README includes its examples verbatim', async (t) => {
  const examples = installed().consumers.flatMap((consumer) => consumer.examples);
  t.true(examples.length >= 5);
  for (const example of examples) {
    t.truthy(expectations[example.source], `${example.source} has no expectation in this test`);
    const readme = await readFile(join(repoRoot, example.source, '../../README.md'), 'utf8');
    t.true(
      readme.includes('```js\n' + (await readFile(example.path, 'utf8')) + '```\n'),
      `${example.source} is not in its README`,
    );
  }
});

for (const source of Object.keys(expectations)) {
  test.serial(`README example runs from the consumer directory: ${source}`, async (t) => {
    const consumer = consumerOfExample(source);
    const example = consumer.examples.find((candidate) => candidate.source === source);
    if (!example) return t.fail(`${source} was not copied`);
    const { stdout, stderr } = await runExample(consumer, example);
    t.log(stdout.trim());
    t.is(expectations[source]?.(stdout), undefined, `${source}\n--- stdout ---\n${stdout}--- stderr ---\n${stderr}`);
  });
}

/** Runs one example with node from its consumer directory; rejects on a non-zero exit or after 60 s. */
async function runExample(consumer: Consumer, example: Example): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [example.path], {
    cwd: consumer.dir,
    env: consumerEnv(redis ? { REDIS_PORT: String(redis.port) } : {}),
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
}

test.serial('the README examples type-check against the published declarations (tsc --checkJs)', async (t) => {
  // The pusher-server consumer has every library and the clients: all examples type-check there.
  const { dir } = installed().consumerOf('@meshpush/pusher-server');
  const sources = installed().consumers.flatMap((consumer) => consumer.examples.map((example) => example.source));
  const examples = await copyExamples(dir, 'typecheck', sources);
  const tsc = join(repoRoot, 'node_modules/.bin/tsc');
  // `preserve` (bundler resolution) rather than nodenext: pusher-js's typings declare an ES default
  // export for what is a CommonJS module, which nodenext rightly refuses; our packages' own
  // node16/nodenext resolution is checked by attw in lint:packages.
  const options = ['--noEmit', '--allowJs', '--checkJs', '--module', 'preserve', '--target', 'es2022'];
  // Node's own types come from the workspace; everything else resolves from the consumer's node_modules.
  const types = ['--types', 'node', '--typeRoots', join(repoRoot, 'node_modules/@types')];
  const result = await run(tsc, [...options, ...types, ...examples.map((example) => example.path)], {
    cwd: dir,
    env: consumerEnv(),
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
  t.is(result.stdout.trim(), '');
});

test.serial('the testing subpath export loads from the consumer', async (t) => {
  const script = "const m = await import('@meshpush/mesh-transport/testing'); console.log(typeof m.MemoryNetwork);";
  const { dir } = installed().consumerOf('@meshpush/mesh-transport');
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    env: consumerEnv(),
  });
  t.is(stdout.trim(), 'function');
});

test.serial('`npx meshpush --version` prints the packed version', async (t) => {
  const { dir, tarballs } = installed().consumerOf('meshpush');
  const { stdout } = await run('npx', ['--no', '--', 'meshpush', '--version'], {
    cwd: dir,
    env: consumerEnv(),
    timeout: 60_000,
  });
  t.is(stdout.trim(), tarballs.find((tarball) => tarball.name === 'meshpush')?.version ?? 'no meshpush tarball');
});

test.serial('`npx meshpush start` answers GET /ready, then drains on SIGTERM', async (t) => {
  const server = startInGroup(
    'npx',
    ['--no', '--', 'meshpush', 'start', '--host', '127.0.0.1', '--port', '0'],
    installed().consumerOf('meshpush').dir,
  );
  t.teardown(() => stopGroup(server, 'SIGKILL', 5000));
  const [, ready] = await waitForOutput(server, /meshpush ready (\{.*\})/, 60_000);
  const { port } = JSON.parse(ready ?? '{}') as { port: number };
  t.true(port > 0);
  const response = await fetch(`http://127.0.0.1:${port}/ready`);
  t.is(response.status, 200);
  t.true(await stopGroup(server, 'SIGTERM', 15_000), `did not exit within 15 s of SIGTERM\n${server.output()}`);
  t.regex(server.output(), /drained/);
  await t.throwsAsync(fetch(`http://127.0.0.1:${port}/ready`), undefined, 'the port is still open');
});
