import type { Manifest, Tarball } from './workspace.js';

/** Files a tarball may hold besides `dist/**`. */
const ALLOWED_TOP_LEVEL = new Set(['package.json', 'README.md', 'LICENSE']);

/**
 * What is wrong with a packed package for a consumer outside the workspace: the checks publint
 * and attw leave to us (our own conventions, and what pnpm must have rewritten at pack time).
 */
export function manifestProblems(manifest: Manifest, tarball: Pick<Tarball, 'files'>): string[] {
  const problems: string[] = [];
  const files = new Set(tarball.files);
  const require = (ok: unknown, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  require(manifest.description, 'no description');
  require(manifest.license === 'MIT', `license is ${String(manifest.license)}, not MIT`);
  require(manifest.repository?.url && manifest.repository.directory, 'repository needs url and directory');
  require((manifest.keywords ?? []).length > 0, 'no keywords');
  require(manifest.type === 'module', 'type is not module');
  require(manifest.engines?.['node'], 'no engines.node');
  require(files.has('LICENSE'), 'LICENSE not packed');
  require(files.has('README.md'), 'README.md not packed');
  for (const file of files) {
    require(file.startsWith('dist/') || ALLOWED_TOP_LEVEL.has(file), `packs ${file}, outside dist/README/LICENSE`);
  }
  for (const [field, deps] of Object.entries(dependencyFields(manifest))) {
    for (const [name, range] of Object.entries(deps)) {
      require(!range.startsWith('workspace:'), `${field}.${name} is still ${range}`);
    }
  }
  problems.push(...exportsProblems(manifest, files));
  for (const [command, target] of Object.entries(manifest.bin ?? {})) {
    require(files.has(normalise(target)), `bin ${command} points to ${target}, which is not packed`);
  }
  require(manifest.exports || manifest.bin, 'neither exports nor bin');
  return problems;
}

function dependencyFields(manifest: Manifest): Record<string, Record<string, string>> {
  const raw = manifest as unknown as Record<string, unknown>;
  const fields: Record<string, Record<string, string>> = {};
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    const value = raw[field];
    if (value && typeof value === 'object') fields[field] = value as Record<string, string>;
  }
  return fields;
}

/** Every export is packed, starts with its `types`, and no `source` condition leaks out. */
function exportsProblems(manifest: Manifest, files: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (typeof target === 'string') {
      if (!files.has(normalise(target)))
        problems.push(`exports["${subpath}"] points to ${target}, which is not packed`);
      continue;
    }
    const conditions = Object.entries(target as Record<string, unknown>);
    if (conditions[0]?.[0] !== 'types') problems.push(`exports["${subpath}"] does not start with a types condition`);
    for (const [condition, path] of conditions) {
      if (condition === 'source') problems.push(`exports["${subpath}"] still has the workspace-only source condition`);
      else if (typeof path !== 'string' || !files.has(normalise(path))) {
        problems.push(`exports["${subpath}"].${condition} points to ${String(path)}, which is not packed`);
      }
    }
  }
  return problems;
}

function normalise(path: string): string {
  return path.replace(/^\.\//, '');
}
