import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { runCli, startServer, type CliRun } from './support/server.js';

/** A config file in a temporary directory, removed at teardown. */
async function configFile(t: ExecutionContext, content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meshpush-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'meshpush.json');
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Runs a start that must be refused: exit 1 and exactly one line on stderr. */
async function refusedStart(t: ExecutionContext, args: string[], env: Record<string, string> = {}): Promise<string> {
  const run: CliRun = await runCli(['start', '--host', '127.0.0.1', '--port', '0', ...args], { env });
  t.is(run.code, 1, run.stderr);
  t.is(run.stdout, '', 'no ready line');
  const lines = run.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0] ?? '', /^meshpush: error: /);
  return lines[0] ?? '';
}

test('meshpush start --port 0 prints the summary and the ready line, serves /ready, drains on SIGTERM', async (t) => {
  const server = await startServer(t);
  t.true(server.port > 0);
  t.regex(server.output(), new RegExp(`^meshpush ready \\{"port":${server.port},"pid":${server.pid}\\}$`, 'm'));
  t.regex(server.output(), /meshpush \d+\.\d+\.\d+ \(node v/);
  t.regex(server.output(), /drivers: adapter=local rate-limiter=local/);
  const ready = await fetch(`${server.httpBase}/ready`);
  t.is(ready.status, 200);
  t.is(await ready.text(), 'OK');
  t.deepEqual(await server.stop('SIGTERM'), { code: 0, signal: null });
  t.regex(server.output(), /SIGTERM received: draining/);
});

test('SIGINT drains and exits 0 too', async (t) => {
  const server = await startServer(t);
  t.deepEqual(await server.stop('SIGINT'), { code: 0, signal: null });
});

test('the summary names apps by id and key and never prints a secret', async (t) => {
  const server = await startServer(t, {
    env: {
      DEFAULT_APP_ID: 'shop',
      DEFAULT_APP_KEY: 'shop-key',
      DEFAULT_APP_SECRET: 'very-secret-value',
      DEFAULT_APP_WEBHOOKS: JSON.stringify([
        { url: 'http://127.0.0.1:9/hook', headers: { Authorization: 'Bearer webhook-token' } },
      ]),
    },
  });
  t.regex(server.output(), /apps: id=shop key=shop-key \(webhooks=1\)/);
  t.notRegex(server.output(), /very-secret-value|webhook-token/);
});

test('precedence end to end: config file < environment < flags', async (t) => {
  const path = await configFile(t, {
    pathPrefix: '/file',
    'channelLimits.maxNameLength': 150,
    'eventLimits.maxBatchSize': 5,
  });
  const server = await startServer(t, {
    env: { SOKETI_PATH_PREFIX: '/env', CHANNEL_LIMITS_MAX_NAME_LENGTH: '120' },
    args: ['--config', path, '--path-prefix', '/flag'],
  });
  t.regex(server.output(), /path prefix \/flag/);
  t.regex(server.output(), /channel name 120, .*batch 5,/);
  t.is((await fetch(`${server.httpBase}/flag/ready`)).status, 200);
});

test('two spellings with different values: exit 1 naming both', async (t) => {
  const line = await refusedStart(t, [], { CLUSTER_PORT: '11002', SOKETI_CLUSTER_PORT: '11003' });
  t.regex(line, /CLUSTER_PORT/);
  t.regex(line, /SOKETI_CLUSTER_PORT/);
});

test('an unknown driver: exit 1 with a one-line message', async (t) => {
  t.regex(
    await refusedStart(t, ['--adapter', 'postgres']),
    /unknown driver \(expected one of: local, cluster, nats, redis\)/,
  );
  t.regex(await refusedStart(t, [], { CACHE_DRIVER: 'redis' }), /not supported yet/);
});

test('malformed port, integer, boolean and JSON values: exit 1', async (t) => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['--port', 'http'], {}, /--port: expected a port number/],
    [[], { CLUSTER_NODE_TIMEOUT: 'soon' }, /CLUSTER_NODE_TIMEOUT: expected an integer/],
    [
      [],
      { DEFAULT_APP_ENABLE_CLIENT_MESSAGES: 'yes' },
      /DEFAULT_APP_ENABLE_CLIENT_MESSAGES: expected true, false, 1 or 0/,
    ],
    [[], { SOKETI_DEFAULT_APP_WEBHOOKS: '[{"url":' }, /SOKETI_DEFAULT_APP_WEBHOOKS: expected JSON/],
  ];
  for (const [args, env, expected] of cases) t.regex(await refusedStart(t, args, env), expected);
});

test('config file problems: unknown key, bad JSON, missing file: exit 1', async (t) => {
  const typo = await configFile(t, { 'adapter.drvier': 'local' });
  t.regex(await refusedStart(t, ['--config', typo]), /unknown key "adapter.drvier" .*did you mean "adapter.driver"/);
  const broken = await configFile(t, '{"port": ');
  t.regex(await refusedStart(t, ['--config', broken]), /is not valid JSON/);
  t.regex(await refusedStart(t, ['--config', '/nonexistent/meshpush.json']), /cannot read config file/);
});

test('unsupported soketi settings are refused, not ignored', async (t) => {
  // Any value is refused; a loopback one keeps even the test input free of broadcast addresses.
  t.regex(await refusedStart(t, [], { CLUSTER_BROADCAST_ADDRESS: '127.0.0.1' }), /UDP/);
  t.regex(
    await refusedStart(t, [], { CLUSTER_MULTICAST_ADDRESS: '127.0.0.1' }),
    /CLUSTER_MULTICAST_ADDRESS is not supported/,
  );
  t.regex(
    await refusedStart(t, [], { SOKETI_NOT_A_SETTING: '1' }),
    /unknown environment variable SOKETI_NOT_A_SETTING/,
  );
});

test("uWebSockets.js's JavaScript fallback is refused", async (t) => {
  const run = await runCli(['start', '--host', '127.0.0.1', '--port', '0'], { env: { UWS_USE_FALLBACK: '1' } });
  t.is(run.code, 1);
  t.regex(run.stderr, /meshpush: error: .*fallback/i);
});

test('a second local-adapter process on the same port exits 1 with "in use"', async (t) => {
  const first = await startServer(t);
  const run = await runCli(['start', '--host', '127.0.0.1', '--port', String(first.port)]);
  t.is(run.code, 1);
  t.regex(run.stderr.trimEnd().split('\n').at(-1) ?? '', /^meshpush: error: .*in use/);
  t.is((await fetch(`${first.httpBase}/ready`)).status, 200, 'the first process is unaffected');
});

test('--version and --help exit 0', async (t) => {
  const version = await runCli(['--version']);
  t.is(version.code, 0);
  t.regex(version.stdout, /^\d+\.\d+\.\d+\n$/);
  const help = await runCli(['start', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /--cluster-seeds <list>/);
});
