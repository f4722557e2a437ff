import { readFileSync } from 'node:fs';
import { ValueError } from './errors.js';
import { integer, parseBoolean, text, type Parser } from './parsers.js';
import { setting, type SettingOption } from './options.js';

/** The token from a file (a mounted Secret): its content without the trailing newline. */
const tokenFromFile: Parser<string> = (input) => {
  const path = text()(input);
  let content: string;
  try {
    content = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ValueError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (content === '') throw new ValueError(`${path} is empty`);
  return content;
};

/** The debug console on the metrics listener: off unless enabled, and never without a token. */
export const debugConsoleOptions: SettingOption[] = [
  setting({
    env: 'DEBUG_CONSOLE_ENABLED',
    key: 'debugConsole.enabled',
    flag: '--debug-console',
    target: 'server.debugConsole.enabled',
    parse: parseBoolean,
    doc: 'serve the live debug console at /console/ on the metrics port',
  }),
  setting({
    env: 'DEBUG_CONSOLE_TOKEN',
    key: 'debugConsole.token',
    target: 'server.debugConsole.token',
    parse: text(),
    doc: 'admin token of the debug console',
    secret: true,
  }),
  setting({
    env: 'DEBUG_CONSOLE_TOKEN_FILE',
    key: 'debugConsole.tokenFile',
    target: 'server.debugConsole.token',
    parse: tokenFromFile,
    doc: 'file holding the admin token of the debug console',
    secret: true,
  }),
  setting({
    env: 'DEBUG_CONSOLE_MAX_RECORDS_PER_SEC',
    key: 'debugConsole.maxRecordsPerSec',
    target: 'server.debugConsole.maxRecordsPerSec',
    parse: integer(1),
    doc: 'debug records sent to one browser per second (the rest are counted as dropped)',
  }),
];
