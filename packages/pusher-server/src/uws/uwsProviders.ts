import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

/** The package name of the official build, installed from github.com/uNetworking/uWebSockets.js. */
export const OFFICIAL_UWS_NAME = 'uWebSockets.js';

/** Where to look for one uWebSockets.js build: a module specifier and the file it is resolved from. */
export interface UwsCandidate {
  readonly specifier: string;
  /** A file path or `file:` URL; resolution walks up its `node_modules` folders as `require` does. */
  readonly from: string;
  /** Accept this candidate only when its package is the official build (for the application's copy). */
  readonly officialOnly?: boolean;
}

/** Which build of uWebSockets.js the server runs on. */
export interface UwsProvider {
  /** The package's own name: `uWebSockets.js` (official), `@btc-vision/uwebsockets.js`, … */
  readonly package: string;
  readonly version: string;
  /** `process.versions.modules` of the running Node, which picked the binary. */
  readonly abi: string;
  readonly official: boolean;
}

/** A candidate resolved to its package on disk. */
export interface ResolvedCandidate {
  readonly entry: string;
  readonly packageDir: string;
  readonly name: string;
  readonly version: string;
}

/**
 * The default search order. The official build comes first, taken from the application (the
 * current directory, where a user runs `npm install uNetworking/uWebSockets.js#v20.57.0`) or from
 * an override of this package's own `uWebSockets.js` dependency. Then the registry builds: the
 * newer one (Node 20-25, glibc >= 2.38) before the older one (Node <= 20, glibc >= 2.28).
 */
export function defaultUwsCandidates(self: string = import.meta.url): UwsCandidate[] {
  return [
    { specifier: OFFICIAL_UWS_NAME, from: join(process.cwd(), 'package.json'), officialOnly: true },
    { specifier: '@btc-vision/uwebsockets.js', from: self },
    // This package's `uWebSockets.js` dependency: an alias of @trufflesuite/uws-js-unofficial.
    { specifier: OFFICIAL_UWS_NAME, from: self },
  ];
}

/** Finds the package behind a candidate, or undefined when it is not installed there. */
export function resolveCandidate(candidate: UwsCandidate): ResolvedCandidate | undefined {
  let entry: string;
  try {
    entry = createRequire(candidate.from).resolve(candidate.specifier);
  } catch {
    return undefined;
  }
  const packageDir = findPackageDir(entry);
  if (packageDir === undefined) return undefined;
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    name?: string;
    version?: string;
  };
  return { entry, packageDir, name: manifest.name ?? '?', version: manifest.version ?? '?' };
}

function findPackageDir(entry: string): string | undefined {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

/**
 * Whether a native addon from inside `packageDir` was loaded. The trufflesuite build returns its
 * JavaScript shim instead of throwing when its binary does not load, so success of `require`
 * alone proves nothing.
 */
export function nativeAddonLoaded(packageDir: string, cache: NodeJS.Require['cache']): boolean {
  const prefix = packageDir.endsWith(sep) ? packageDir : packageDir + sep;
  return Object.keys(cache).some((path) => path.startsWith(prefix) && path.endsWith('.node'));
}

/** The glibc of this process, `musl or no glibc`, or undefined off Linux. */
export function runtimeLibc(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  const glibc = report.header?.glibcVersionRuntime;
  return glibc === undefined ? 'musl or no glibc' : `glibc ${glibc}`;
}

/** The combinations the registry builds cover, for the error when none loads. */
export const SUPPORTED_RUNTIMES =
  'Node 20, 22, 24 or 25 on Linux x64/arm64 with glibc >= 2.38 (Debian 13, Ubuntu 24.04), macOS or Windows x64 ' +
  '(@btc-vision/uwebsockets.js); Node 20 on Linux with glibc >= 2.28 or macOS (@trufflesuite/uws-js-unofficial); ' +
  'or the official uWebSockets.js installed from its repository for your Node';
