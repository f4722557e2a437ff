import { connect } from 'node:net';
import type { TestFn } from 'ava';

/** Set to 1 where PostgreSQL and MariaDB must be there (CI): a missing one is then a failure, not a skip. */
export const REQUIRE_DATABASES_ENV = 'MESHPUSH_REQUIRE_DATABASES';

const PORTS = { postgres: 5432, mysql: 3306 } as const;

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether the machine's databases answer on their standard ports. When one does not, registers
 * a skipped test saying so (or a failing one with MESHPUSH_REQUIRE_DATABASES=1) and returns false.
 */
export async function databasesAvailable(test: TestFn, drivers: ReadonlyArray<keyof typeof PORTS>): Promise<boolean> {
  const missing: string[] = [];
  for (const driver of drivers) {
    if (!(await listening(PORTS[driver]))) missing.push(`${driver} on 127.0.0.1:${PORTS[driver]}`);
  }
  if (missing.length === 0) return true;
  const reason = `no ${missing.join(' and ')}`;
  const required = ['1', 'true'].includes(process.env[REQUIRE_DATABASES_ENV] ?? '');
  if (required) test(`databases (${REQUIRE_DATABASES_ENV} is set)`, (t) => t.fail(reason));
  else test.skip(reason, () => undefined);
  return false;
}
