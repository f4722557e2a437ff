/**
 * Prints the functions with the most self time in a `.cpuprofile` (as written by
 * `pnpm bench --cpu-prof <dir>`): `node --import=tsx tools/bench/src/profileTop.ts <file> [rows]`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function selfTimes(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return;
    const where = frame.url === '' ? '' : ` ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return self;
}

const [file, rows = '30'] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: profileTop.ts <file.cpuprofile> [rows]\n');
  process.exit(2);
}
const self = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
const totalUs = [...self.values()].reduce((sum, us) => sum + us, 0);
process.stdout.write(`${(totalUs / 1000).toFixed(0)} ms sampled in ${file}\n`);
for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) {
  process.stdout.write(
    `${(us / 1000).toFixed(1).padStart(8)} ms ${((us / totalUs) * 100).toFixed(1).padStart(5)} %  ${name}\n`,
  );
}
