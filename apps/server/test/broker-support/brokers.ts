import type { TestFn } from 'ava';
import {
  BrokerProcess,
  brokersRequired,
  missingBrokers,
  REQUIRE_BROKERS_ENV,
  type BrokerKind,
  type BrokerOptions,
} from '@meshpush/test-support';

export { BrokerProcess, REQUIRE_BROKERS_ENV, type BrokerKind };

/**
 * Whether the broker tests of `kind` can run. When the binary is missing, registers one test that
 * says so: skipped, or failed when `MESHPUSH_REQUIRE_BROKERS=1` (CI) asks for the brokers.
 */
export function brokerAvailable(test: TestFn, kind: BrokerKind): boolean {
  const missing = missingBrokers([kind]);
  if (missing === undefined) return true;
  if (brokersRequired())
    test(`${kind} broker tests`, (t) => t.fail(`${missing} (${REQUIRE_BROKERS_ENV}=1 requires it)`));
  else
    test.skip(`${kind} broker tests skipped: ${missing} (set ${REQUIRE_BROKERS_ENV}=1 to fail instead)`, () =>
      undefined);
  return false;
}

/** The environment that points a meshpush node at `broker` with the transport `kind`. */
export function brokerEnv(broker: BrokerProcess, extra: Record<string, string> = {}): Record<string, string> {
  const base: Record<string, string> =
    broker.kind === 'nats'
      ? { ADAPTER_DRIVER: 'nats', ADAPTER_NATS_SERVERS: broker.address }
      : { ADAPTER_DRIVER: 'redis', DB_REDIS_HOST: '127.0.0.1', DB_REDIS_PORT: String(broker.port) };
  return { ...base, ...extra };
}

/**
 * Starts a broker before the file's tests and writes its settings into `env` (which the caller
 * already handed to a suite that reads it in its own `before`); kills it after them.
 */
export function brokerForFile(
  test: TestFn,
  kind: BrokerKind,
  env: Record<string, string>,
  options: BrokerOptions = {},
): () => BrokerProcess {
  let broker: BrokerProcess | undefined;
  test.before(async () => {
    broker = await BrokerProcess.start(kind, options);
    Object.assign(env, brokerEnv(broker));
  });
  test.after.always(() => broker?.kill());
  return () => {
    if (broker === undefined) throw new Error('the broker has not started');
    return broker;
  };
}
