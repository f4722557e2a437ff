import test from 'ava';
import { loadClient } from '../src/app-managers/loadClient.js';
import { DriverUnavailableError } from '../src/config/errors.js';

test('a missing database client is one sentence naming the package, not a stack trace', async (t) => {
  const error = await t.throwsAsync(
    loadClient('no-such-client-package', 'postgres', () => import('no-such-client-package' as string)),
  );
  t.true(error instanceof DriverUnavailableError);
  t.is(
    error?.message,
    'APP_MANAGER_DRIVER=postgres needs the "no-such-client-package" package, which is not installed (npm install no-such-client-package)',
  );
});

test('other load failures pass through', async (t) => {
  await t.throwsAsync(
    loadClient('x', 'mysql', () => Promise.reject(new TypeError('broken'))),
    { instanceOf: TypeError },
  );
});
