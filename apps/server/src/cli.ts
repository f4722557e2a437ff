#!/usr/bin/env node
import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import { flagName } from './config/options.js';
import { settingOptions } from './config/settingOptions.js';
import type { FlagValue } from './config/sources.js';
import { errorMessage } from './shutdown.js';
import { start } from './start.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The `meshpush` program; `start` gets one flag per option that has one in the option table. */
export function buildProgram(): Command {
  const program = new Command('meshpush')
    .description('Pusher Channels-compatible realtime server (drop-in for soketi)')
    .version(version, '-v, --version');

  const startCommand = program
    .command('start')
    .description('start the server (settings: flags > environment > --config file > defaults)')
    .option('-c, --config <file>', 'JSON config file with soketi keys, e.g. {"adapter.driver": "cluster"}');
  const flagged = settingOptions.filter((option) => option.flag !== undefined);
  for (const option of flagged) startCommand.addOption(new Option(option.flag as string, option.doc));

  startCommand.action(async (opts: Record<string, unknown>, command: Command) => {
    const flags: FlagValue[] = [];
    for (const option of flagged) {
      const commanderOption = new Option(option.flag as string);
      const name = commanderOption.attributeName();
      if (command.getOptionValueSource(name) === 'cli') flags.push({ flag: flagName(option.flag as string), value: opts[name] });
    }
    const configPath = typeof opts['config'] === 'string' ? opts['config'] : undefined;
    await start({ env: process.env, configPath, flags, version });
  });
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`meshpush: error: ${errorMessage(error)}\n`);
    process.exit(1);
  });
