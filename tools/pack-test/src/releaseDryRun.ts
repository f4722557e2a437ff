// `pnpm release:dry-run`: what a release would publish, without publishing: the pending
// changesets and the version bumps they make, then `pnpm publish --dry-run` of every published
// package (pnpm skips a version that is already on the registry).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { publishedPackages, repoRoot, run } from './workspace.js';

const bin = (name: string): string => join(repoRoot, 'node_modules/.bin', name);
const showFiles = process.argv.includes('--files');

async function pendingChangesets(): Promise<string[]> {
  const entries = await readdir(join(repoRoot, '.changeset'));
  return entries.filter((name) => name.endsWith('.md') && name !== 'README.md');
}

async function printReleasePlan(): Promise<void> {
  const pending = await pendingChangesets();
  if (pending.length === 0) {
    console.log('No pending changesets: the current versions would be published as they are.');
    return;
  }
  console.log(`${pending.length} pending changeset(s): ${pending.join(', ')}`);
  const { stdout, stderr } = await run(bin('changeset'), ['status', '--verbose'], { cwd: repoRoot });
  console.log(`${stdout}${stderr}`.trim());
  console.log('(`pnpm changeset version` applies these bumps and writes the changelogs before publishing.)');
}

/** npm's notice lines, without the per-file listing unless --files was given. */
function summarise(output: string): string {
  return output
    .split('\n')
    .filter((line) => !line.includes('Unknown project config'))
    .filter((line) => showFiles || !/^npm notice [\d.]+k?B /.test(line))
    .join('\n')
    .trim();
}

async function main(): Promise<void> {
  await printReleasePlan();
  const filters = (await publishedPackages()).flatMap((pkg) => ['--filter', `./${pkg.dir}`]);
  const { stdout, stderr } = await run('pnpm', ['-r', 'publish', '--dry-run', '--no-git-checks', ...filters], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  console.log(summarise(`${stderr}\n${stdout}`));
  console.log('Dry run: nothing was published. `--files` lists every file of each tarball.');
}

await main();
