#!/usr/bin/env node
import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import { oneLine } from './config/errors.js';
import { flagName } from './config/options.js';
import { settingOptions } from './config/settingOptions.js';
import type { FlagValue } from './config/sources.js';
import { addAppsCommand } from './appsCommand.js';
import { start } from './start.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** One commander option per option-table entry that has a flag. */
const flagOptions = settingOptions.flatMap((option) =>
  option.flag === undefined ? [] : [{ flag: flagName(option.flag), commander: new Option(option.flag, option.doc) }],
);

/** The flags given on the command line (not commander defaults), as raw values for the parsers. */
function givenFlags(command: Command): FlagValue[] {
  const values = command.opts<Record<string, unknown>>();
  return flagOptions
    .filter(({ commander }) => command.getOptionValueSource(commander.attributeName()) === 'cli')
    .map(({ flag, commander }) => ({ flag, value: values[commander.attributeName()] }));
}

function buildProgram(): Command {
  const program = new Command('meshpush')
    .description('Pusher Channels-compatible realtime server (drop-in for soketi)')
    .version(version, '-v, --version');
  const startCommand = program
    .command('start')
    .description('start the server (settings: flags > environment > --config file > defaults)')
    .option('-c, --config <file>', 'JSON config file with soketi keys, e.g. {"adapter.driver": "cluster"}');
  for (const { commander } of flagOptions) startCommand.addOption(commander);
  startCommand.action(async (options: { config?: string }, command: Command) => {
    await start({ env: process.env, configPath: options.config, flags: givenFlags(command), version });
  });
  addAppsCommand(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`meshpush: error: ${oneLine(error)}\n`);
    process.exit(1);
  });
