import type { UnsupportedOption } from './options.js';

type Names = ReadonlyArray<readonly [env: string | undefined, key: string | undefined]>;

function group(base: Omit<UnsupportedOption, 'kind' | 'env' | 'key'>, names: Names): UnsupportedOption[] {
  return names.map(([env, key]) => ({
    kind: 'unsupported',
    ...base,
    ...(env !== undefined && { env }),
    ...(key !== undefined && { key }),
  }));
}

const UDP_DISCOVERY =
  'meshpush does not discover nodes over UDP; nodes on one host meet at CLUSTER_HOST:CLUSTER_PORT, ' +
  'nodes on other hosts are listed in CLUSTER_SEEDS';

const udpDiscovery = group({ planned: false, severity: 'error', reason: UDP_DISCOVERY }, [
  ['CLUSTER_BROADCAST_ADDRESS', 'cluster.broadcast'],
  ['CLUSTER_MULTICAST_ADDRESS', 'cluster.multicast'],
]);

const ignoreProcess = group(
  { planned: false, severity: 'error', reason: 'each process is one mesh node', harmless: ['true', '1'] },
  [['CLUSTER_IGNORE_PROCESS', 'cluster.ignoreProcess']],
);

const BROKER_REASON = 'it is read only by the Redis cache, Redis/SQS queues and tuning knobs meshpush does not have';

const natsCredentials = group(
  {
    planned: true,
    severity: 'error',
    reason:
      'NATS credentials files are not supported yet; use ADAPTER_NATS_USER / ADAPTER_NATS_PASSWORD or ADAPTER_NATS_TOKEN',
    harmless: [''],
  },
  [['ADAPTER_NATS_CREDENTIALS', 'adapter.nats.credentials']],
);

const brokerSettings = group({ planned: true, severity: 'warn', reason: BROKER_REASON }, [
  ['ADAPTER_REDIS_SUB_OPTIONS', 'adapter.redis.redisSubOptions'],
  ['ADAPTER_REDIS_PUB_OPTIONS', 'adapter.redis.redisPubOptions'],
  ['ADAPTER_REDIS_SHARD_MODE', 'adapter.redis.shardMode'],
  ['CACHE_REDIS_CLUSTER_MODE', 'cache.redis.clusterMode'],
  ['CACHE_REDIS_OPTIONS', 'cache.redis.redisOptions'],
  ['QUEUE_REDIS_CONCURRENCY', 'queue.redis.concurrency'],
  ['QUEUE_REDIS_OPTIONS', 'queue.redis.redisOptions'],
  ['QUEUE_REDIS_CLUSTER_MODE', 'queue.redis.clusterMode'],
  ['QUEUE_SQS_REGION', 'queue.sqs.region'],
  ['QUEUE_SQS_CLIENT_OPTIONS', 'queue.sqs.clientOptions'],
  ['QUEUE_SQS_URL', 'queue.sqs.queueUrl'],
  ['QUEUE_SQS_ENDPOINT', 'queue.sqs.endpoint'],
  ['QUEUE_SQS_PROCESS_BATCH', 'queue.sqs.processBatch'],
  ['QUEUE_SQS_BATCH_SIZE', 'queue.sqs.batchSize'],
  ['QUEUE_SQS_POLLING_WAIT_TIME_MS', 'queue.sqs.pollingWaitTimeMs'],
  ['RATE_LIMITER_REDIS_OPTIONS', 'rateLimiter.redis.redisOptions'],
  ['RATE_LIMITER_REDIS_CLUSTER_MODE', 'rateLimiter.redis.clusterMode'],
]);

const fixedHttpSettings = group(
  {
    planned: false,
    severity: 'warn',
    reason: 'meshpush sends a fixed set of CORS headers and bounds bodies by the event limits',
  },
  [
    [undefined, 'cors.credentials'],
    [undefined, 'cors.methods'],
    [undefined, 'cors.allowedHeaders'],
    [undefined, 'httpApi.requestLimitInMb'],
  ],
);

/** soketi options meshpush recognises but does not implement, with the reason for each. */
export const unsupportedOptions: readonly UnsupportedOption[] = [
  ...udpDiscovery,
  ...ignoreProcess,
  ...brokerSettings,
  ...natsCredentials,
  ...fixedHttpSettings,
];
