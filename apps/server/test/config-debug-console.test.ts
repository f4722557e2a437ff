import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ConfigError } from '../src/config/errors.js';
import { resolveConfig } from '../src/config/resolve.js';
import { describeConfig } from '../src/config/summary.js';

test('the debug console is off by default', (t) => {
  t.like(resolveConfig({}).server.debugConsole, { enabled: false, token: '' });
});

test('enabled with a token from the environment or from a file; the token is never echoed', (t) => {
  const fromEnv = resolveConfig({ env: { DEBUG_CONSOLE_ENABLED: 'true', DEBUG_CONSOLE_TOKEN: 'tok-env' } });
  t.like(fromEnv.server.debugConsole, { enabled: true, token: 'tok-env' });
  t.false(JSON.stringify(describeConfig(fromEnv, { version: '0', nodeVersion: 'v20', pid: 1 })).includes('tok-env'));

  const dir = mkdtempSync(join(tmpdir(), 'meshpush-console-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'token'), 'tok-file\n');
  const env = { SOKETI_DEBUG_CONSOLE_ENABLED: '1', DEBUG_CONSOLE_TOKEN_FILE: join(dir, 'token') };
  t.is(resolveConfig({ env }).server.debugConsole.token, 'tok-file');
});

test('enabled without a token, or with an unreadable token file: a one-line refusal', (t) => {
  const refusal = t.throws(() => resolveConfig({ env: { DEBUG_CONSOLE_ENABLED: 'true' } }), {
    instanceOf: ConfigError,
  });
  t.regex(refusal?.message ?? '', /DEBUG_CONSOLE_TOKEN/);
  t.throws(
    () => resolveConfig({ env: { DEBUG_CONSOLE_ENABLED: 'true', DEBUG_CONSOLE_TOKEN_FILE: '/nonexistent/x' } }),
    {
      instanceOf: ConfigError,
      message: /nonexistent/,
    },
  );
});
