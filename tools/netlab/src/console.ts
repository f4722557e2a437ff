import { createInterface } from 'node:readline';
import type { Lab } from './Lab.js';
import { HEADLESS_NAME } from './plan.js';

/** The commands of `netlab up`, one per line on stdin. */
export const CONSOLE_HELP = [
  'cut A B       cut the link between hosts A and B',
  'restore A B   bring it back',
  'isolate A     cut every link of A',
  'heal A        bring them all back',
  `headless A,B  make ${HEADLESS_NAME} resolve to these servers`,
  'status        hosts, addresses and cut links',
  'quit          stop everything and remove the lab (or Ctrl+C)',
].join('\n');

/** Reads lab commands from stdin until `quit` or end of input. */
export async function runConsole(lab: Lab, write: (line: string) => void): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [command, ...args] = line.trim().split(/\s+/);
    if (command === undefined || command === '') continue;
    if (command === 'quit' || command === 'exit') break;
    try {
      write(await runCommand(lab, command, args));
    } catch (error) {
      write(`error: ${(error as Error).message}`);
    }
  }
  lines.close();
}

async function runCommand(lab: Lab, command: string, args: string[]): Promise<string> {
  const [first = '', second = ''] = args;
  switch (command) {
    case 'cut':
      await lab.cut(first, second);
      return `cut ${first}–${second}`;
    case 'restore':
      await lab.restore(first, second);
      return `restored ${first}–${second}`;
    case 'isolate':
      await lab.isolate(first);
      return `isolated ${first}`;
    case 'heal':
      await lab.heal(first);
      return `healed ${first}`;
    case 'headless':
      lab.setHeadless(first === '' ? [] : first.split(','));
      return `${HEADLESS_NAME} → ${lab.headless.join(', ') || '(nothing)'}`;
    case 'status':
      return describeLab(lab);
    default:
      return `unknown command "${command}"\n${CONSOLE_HELP}`;
  }
}

export function describeLab(lab: Lab): string {
  const hosts = lab.plan.hosts.map(
    (host) => `${host.name.padEnd(8)} ${host.role.padEnd(7)} ${host.address.padEnd(12)} ${host.namespace}`,
  );
  const cut = lab.plan.links
    .filter((link) => !lab.linked(link.a.name, link.b.name))
    .map((link) => `${link.a.name}–${link.b.name}`);
  return [...hosts, `cut links: ${cut.join(', ') || 'none'}`, `${HEADLESS_NAME} → ${lab.headless.join(', ')}`].join(
    '\n',
  );
}
