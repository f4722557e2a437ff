#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { CONSOLE_HELP, describeLab, runConsole } from './console.js';
import { Lab } from './Lab.js';
import { startMeshNode, SERVER_PORT } from './meshNode.js';
import { labUnavailableReason, removeLabLeftovers, removeStaleLabLock } from './system.js';

const write = (line: string): void => void process.stdout.write(`${line}\n`);

function serverList(raw: string): string[] {
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) throw new InvalidArgumentError('give at least one server host name');
  return names;
}

/** Builds the lab, starts meshpush on every server host, and takes commands until quit or Ctrl+C. */
async function up(servers: string[]): Promise<number> {
  const lab = await Lab.create({ servers });
  try {
    await Promise.all(servers.map((name) => startMeshNode(lab, name)));
    write(describeLab(lab));
    const client = lab.client;
    write(
      `\nmeshpush runs on every server host at http://<address>:${SERVER_PORT}; reach it from the client host, e.g.`,
    );
    write(`  ip netns exec ${client.namespace} curl -s http://${lab.servers[0]?.address}:${SERVER_PORT}/cluster\n`);
    write(CONSOLE_HELP);
    await runConsole(lab, write);
  } finally {
    await lab.destroy();
    write('lab removed');
  }
  return 0;
}

async function main(): Promise<number> {
  const program = new Command('netlab').description(
    'meshpush on Linux network namespaces: hosts, links, partitions (root only)',
  );
  let run: () => Promise<number> = async () => 0;
  program
    .command('up')
    .description('build a lab, start meshpush on each server host, read commands from stdin')
    .option('--servers <names>', 'server host names, comma separated', serverList, ['a', 'b', 'c'])
    .action((options: { servers: string[] }) => {
      run = () => up(options.servers);
    });
  program
    .command('check')
    .description('say whether the lab can run here')
    .action(() => {
      run = async () => {
        const reason = labUnavailableReason();
        write(reason === undefined ? 'netlab can run here' : `netlab cannot run: ${reason}`);
        return reason === undefined ? 0 : 1;
      };
    });
  program
    .command('clean')
    .description('remove what a killed lab left behind (namespaces, processes, hosts files, route)')
    .action(() => {
      run = async () => {
        const reason = labUnavailableReason();
        if (reason !== undefined) throw new Error(reason);
        removeStaleLabLock();
        removeLabLeftovers();
        write('netlab leftovers removed');
        return 0;
      };
    });
  await program.parseAsync(process.argv);
  return run();
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`netlab: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
