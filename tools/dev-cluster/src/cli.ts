#!/usr/bin/env node
import { Command } from 'commander';
import { DEFAULT_OPTIONS, MAX_NODES, parseIntIn, UsageError, type DevClusterOptions } from './options.js';
import { runDevCluster } from './supervisor.js';

interface Flags {
  nodes: number;
  basePort: number;
  samePort: boolean;
  metricsBasePort: number;
  clusterPort: number;
  build: boolean;
  meshTimeout: number;
}

function parseFlags(argv: readonly string[]): DevClusterOptions {
  const port = (flag: string): ((raw: string) => number) => parseIntIn(flag, 1, 65535);
  const program = new Command('dev:cluster')
    .description('Start N meshpush processes (ADAPTER_DRIVER=cluster) on 127.0.0.1, meshed over one CLUSTER_PORT')
    .option(
      '-n, --nodes <n>',
      `number of nodes (1-${MAX_NODES})`,
      parseIntIn('--nodes', 1, MAX_NODES),
      DEFAULT_OPTIONS.nodes,
    )
    .option(
      '--base-port <port>',
      'WebSocket/HTTP port of node-1; node-N gets base + N - 1',
      port('--base-port'),
      DEFAULT_OPTIONS.basePort,
    )
    .option('--same-port', 'every node binds --base-port (SO_REUSEPORT)', DEFAULT_OPTIONS.samePort)
    .option(
      '--metrics-base-port <port>',
      'metrics port of node-1; node-N gets base + N - 1',
      port('--metrics-base-port'),
      DEFAULT_OPTIONS.metricsBasePort,
    )
    .option(
      '--cluster-port <port>',
      'mesh rendezvous port shared by all nodes',
      port('--cluster-port'),
      DEFAULT_OPTIONS.clusterPort,
    )
    .option('--no-build', 'skip the turbo build of the server')
    .option(
      '--mesh-timeout <ms>',
      'how long the mesh may take to form',
      parseIntIn('--mesh-timeout', 100, 600_000),
      DEFAULT_OPTIONS.meshTimeoutMs,
    )
    .showHelpAfterError()
    .parse(argv);
  const flags = program.opts<Flags>();
  return {
    ...DEFAULT_OPTIONS,
    nodes: flags.nodes,
    basePort: flags.basePort,
    samePort: flags.samePort,
    metricsBasePort: flags.metricsBasePort,
    clusterPort: flags.clusterPort,
    build: flags.build,
    meshTimeoutMs: flags.meshTimeout,
  };
}

async function main(): Promise<number> {
  try {
    return await runDevCluster(parseFlags(process.argv));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`dev-cluster: ${error instanceof UsageError ? '' : 'error: '}${message}\n`);
    return 1;
  }
}

process.exitCode = await main();
