// `pnpm lint:packages`: packs every published package as npm would get it, then runs publint,
// @arethetypeswrong/cli and our own manifest checks on each tarball. Exits 1 on any problem.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestProblems } from './manifestProblems.js';
import { pack, packedManifest, publishedPackages, repoRoot, run, type Tarball } from './workspace.js';

const bin = (name: string): string => join(repoRoot, 'node_modules/.bin', name);

interface Finding {
  readonly tool: string;
  readonly output: string;
}

async function tool(name: string, args: string[]): Promise<Finding | undefined> {
  try {
    await run(bin(name), args, {
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    return undefined;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { tool: name, output: `${stdout}${stderr}`.trim() };
  }
}

async function lintTarball(tarball: Tarball): Promise<Finding[]> {
  const findings: Finding[] = [];
  const own = manifestProblems(await packedManifest(tarball), tarball);
  if (own.length > 0) findings.push({ tool: 'manifest', output: own.join('\n') });
  // --strict: publint's warnings fail too (its suggestions are printed by the tool but pass).
  const publint = await tool('publint', ['run', tarball.path, '--strict']);
  if (publint) findings.push(publint);
  // ESM only by design: attw's esm-only profile ignores CommonJS and node10 resolution.
  const attw = await tool('attw', [
    tarball.path,
    '--profile',
    'esm-only',
    '--format',
    'ascii',
    '--no-emoji',
    '--no-color',
  ]);
  if (attw) findings.push(attw);
  return findings;
}

/** The sum of the file sizes inside a tarball (`tar -tv` lists each size in its third column). */
async function unpackedBytes(path: string): Promise<number> {
  const { stdout } = await run('tar', ['-tvzf', path], { maxBuffer: 16 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter(Boolean)
    .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[2] ?? 0), 0);
}

async function main(): Promise<number> {
  const started = performance.now();
  const destination = await mkdtemp(join(tmpdir(), 'meshpush-lint-'));
  try {
    let failed = 0;
    const packages = await publishedPackages();
    for (const pkg of packages) {
      const tarball = await pack(pkg, destination);
      const findings = await lintTarball(tarball);
      const { size } = await stat(tarball.path);
      const unpacked = await unpackedBytes(tarball.path);
      const runtime = Object.keys((await packedManifest(tarball)).dependencies ?? {}).join(', ') || 'none';
      const verdict = findings.length === 0 ? 'ok' : 'FAILED';
      console.log(
        `${verdict.padEnd(6)} ${tarball.name}@${tarball.version}  ${(size / 1024).toFixed(1)} kB packed, ${(unpacked / 1024).toFixed(1)} kB unpacked, ${tarball.files.length} files; dependencies: ${runtime}`,
      );
      for (const finding of findings) console.log(`  ${finding.tool}:\n${finding.output.replace(/^/gm, '    ')}`);
      if (findings.length > 0) failed++;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `lint:packages: ${packages.length - failed} passed, ${failed} failed (publint --strict, attw esm-only, manifest) in ${seconds} s`,
    );
    return failed === 0 ? 0 : 1;
  } finally {
    await rm(destination, { recursive: true, force: true });
  }
}

process.exitCode = await main();
