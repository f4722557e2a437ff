#!/usr/bin/env node
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ensureBuilt } from '@meshpush/dev-cluster';
import {
  DEFAULT_DRIVERS,
  FULL,
  parseDrivers,
  parseScaleNodes,
  parseTls,
  QUICK,
  type BenchOptions,
  type TlsVariant,
} from './options.js';
import type { Driver } from './servers/ServerGroup.js';
import { buildPlan, runPlan } from './plan.js';
import { appendRecord, clusterTable, errorLines, humanTable, resultsFile, scaleTable, targetLines } from './report.js';
import { machineLoad } from './util/proc.js';

interface Flags {
  quick: boolean;
  json: boolean;
  workers: number;
  drivers: Driver[];
  tls: TlsVariant[];
  only?: string;
  build: boolean;
  cpuProf?: string;
  scale?: number[] | true;
  sizing: boolean;
}

/** commander wants InvalidArgumentError to print the flag's usage. */
function asArgument<T>(parse: (raw: string) => T): (raw: string) => T {
  return (raw) => {
    try {
      return parse(raw);
    } catch (error) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
    }
  };
}

function workerCount(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 8) throw new InvalidArgumentError('an integer from 1 to 8');
  return value;
}

function parseOptions(argv: readonly string[]): BenchOptions {
  const flags = new Command('bench')
    .description(
      'Start meshpush (1 node and a 3-node cluster) and a bare uWS baseline on 127.0.0.1, load them, print JSON lines',
    )
    .option('--quick', 'fewer messages and seconds: the whole run takes under a minute', false)
    .option('--json', 'print only the JSON lines on stdout', false)
    .option('--workers <n>', 'load worker processes holding the WebSocket clients', workerCount, 2)
    .option(
      '--drivers <list>',
      'server setups: uws-baseline (baseline), local, cluster, nats, redis, or all',
      asArgument(parseDrivers),
      [...DEFAULT_DRIVERS],
    )
    .option(
      '--tls <list>',
      'add TLS variants: client (baseline+tls, local+tls), mesh (cluster+mesh-tls), or all',
      asArgument(parseTls),
      [],
    )
    .option('--only <ids>', 'comma-separated parts of variant/scenario ids, e.g. "local/fanout,cluster"')
    .option('--no-build', 'skip the turbo build of the server')
    .option('--cpu-prof <dir>', 'write a --cpu-prof profile of every server process into <dir>')
    .option(
      '--scale [nodes]',
      `add the scale scenario: N fresh mesh processes for each N (default ${FULL.scale.nodes.join(',')})`,
      asArgument(parseScaleNodes),
    )
    .option('--sizing', 'add the sizing scenario: memory per connection, subscription and presence member', false)
    .showHelpAfterError()
    .parse(argv)
    .opts<Flags>();
  const cpuProfDir = flags.cpuProf === undefined ? undefined : resolve(flags.cpuProf);
  if (cpuProfDir !== undefined) mkdirSync(cpuProfDir, { recursive: true });
  return {
    quick: flags.quick,
    json: flags.json,
    workers: flags.workers,
    drivers: flags.drivers,
    tls: flags.tls,
    only: (flags.only ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
    build: flags.build,
    sizing: flags.sizing,
    scaleNodes: flags.scale === undefined ? [] : flags.scale === true ? FULL.scale.nodes : flags.scale,
    cpuProfDir,
    params: flags.quick ? QUICK : FULL,
  };
}

/** Every step has its own timeout; this is the backstop for the whole run, far above a normal one. */
const QUICK_DEADLINE_MS = 5 * 60_000;
const FULL_DEADLINE_MS = 25 * 60_000;

/** Exits with 1 (the exit handlers kill every child and remove temp files) if the run overruns. */
function armWatchdog(limitMs: number, log: (line: string) => void): void {
  setTimeout(() => {
    log(`error: the run passed its ${limitMs / 60_000}-minute deadline; stopping every process it started`);
    process.exit(1);
  }, limitMs).unref();
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
  if (options.build) {
    log('building the server (turbo, --filter=meshpush...)');
    const build = await ensureBuilt();
    if (build.outcome === 'stale') log(`the build failed; measuring the existing dist\n${build.output}`);
  }
  const plan = buildPlan(options);
  if (plan.length === 0) throw new Error(`--drivers/--tls/--only select no scenario`);
  armWatchdog(options.quick ? QUICK_DEADLINE_MS : FULL_DEADLINE_MS, log);
  const file = resultsFile(options.quick);
  const load = machineLoad();
  log(`${load.cpus} CPUs, load average ${load.load1} at start; results → ${file}`);
  const started = Date.now();
  const records = await runPlan(plan, options, (record) => {
    appendRecord(file, record);
    process.stdout.write(JSON.stringify(record) + '\n');
  });
  // Measurements that miss a target are results; a setup that could not run at all is a failure.
  if (records.some((record) => record.errors.some((error) => error.startsWith('could not start'))))
    process.exitCode = 1;
  if (options.json) return;
  const lines = [
    '',
    humanTable(records),
    '',
    ...(clusterTable(records) === ''
      ? []
      : ['multi-node fan-out, published through node 0 (latency in ms):', clusterTable(records), '']),
    ...(scaleTable(records) === ''
      ? []
      : ['scale: N processes on this machine, default mesh settings:', scaleTable(records), '']),
    'targets:',
    ...targetLines(records).map((line) => `  ${line}`),
    ...errorLines(records).map((line) => `error: ${line}`),
    '',
    `${records.length} scenarios in ${((Date.now() - started) / 1000).toFixed(1)} s; load average ${machineLoad().load1} at end; ${file}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
