import { createRequire } from 'node:module';
import type * as UwsModule from 'uWebSockets.js';
import {
  defaultUwsCandidates,
  nativeAddonLoaded,
  OFFICIAL_UWS_NAME,
  resolveCandidate,
  runtimeLibc,
  SUPPORTED_RUNTIMES,
  type UwsCandidate,
  type UwsProvider,
} from './uwsProviders.js';

/** The uWebSockets.js API, typed by the typings of this package's `uWebSockets.js` dependency. */
export type Uws = typeof UwsModule;

/** A native uWebSockets.js build that loaded, and which one it is. */
export interface LoadedUws {
  readonly uws: Uws;
  readonly provider: UwsProvider;
}

/** No candidate gave a native binary for this Node: the message is one line, meant for operators. */
export class NativeUwsError extends Error {
  override readonly name = 'NativeUwsError';
}

let loaded: LoadedUws | undefined;

/**
 * Loads the first uWebSockets.js build whose native binary loads for the running Node (see
 * {@link defaultUwsCandidates} for the order), once per process: `require` caches the addon, so
 * every later call gets the same module. Synchronous, because uWS apps are created synchronously.
 * @throws NativeUwsError naming each candidate's failure and the supported combinations.
 */
export function loadNativeUws(candidates: readonly UwsCandidate[] = defaultUwsCandidates()): LoadedUws {
  loaded ??= loadFirst(candidates);
  return loaded;
}

/** The loaded uWebSockets.js module (loading it on first use). */
export function nativeUws(): Uws {
  return loadNativeUws().uws;
}

/**
 * Which uWebSockets.js build this process runs on, loading it now: a start calls it first, so
 * that a missing binary stops it before anything is bound.
 * @throws NativeUwsError when no build has a native binary for this Node.
 */
export function nativeUwsProvider(): UwsProvider {
  return loadNativeUws().provider;
}

/** Tries each candidate in order; exported for tests, which pass their own list and get no memo. */
export function loadFirst(candidates: readonly UwsCandidate[]): LoadedUws {
  const failures: string[] = [];
  const tried = new Set<string>();
  for (const candidate of candidates) {
    const found = resolveCandidate(candidate);
    if (!found || tried.has(found.packageDir)) continue;
    if (candidate.officialOnly && found.name !== OFFICIAL_UWS_NAME) continue;
    tried.add(found.packageDir);
    const label = `${found.name}@${found.version}`;
    const require = createRequire(found.entry);
    let uws: Uws;
    try {
      uws = require(found.entry) as Uws;
    } catch (error) {
      failures.push(`${label}: ${lastLine(error)}`);
      continue;
    }
    if (!nativeAddonLoaded(found.packageDir, require.cache) || typeof uws.us_socket_local_port !== 'function') {
      failures.push(
        `${label}: only its JavaScript fallback loaded, refused (no binary for this Node, or UWS_USE_FALLBACK set)`,
      );
      continue;
    }
    const official = found.name === OFFICIAL_UWS_NAME;
    return { uws, provider: { package: found.name, version: found.version, abi: process.versions.modules, official } };
  }
  throw new NativeUwsError(noneLoaded(failures));
}

function noneLoaded(failures: readonly string[]): string {
  const libc = runtimeLibc();
  const runtime = [`${process.platform}-${process.arch}`, `ABI ${process.versions.modules}`, ...(libc ? [libc] : [])];
  const why = failures.length > 0 ? failures.join('; ') : 'no uWebSockets.js package is installed';
  return (
    `no native uWebSockets.js binary loads on Node ${process.version} (${runtime.join(', ')}): ${why}. ` +
    `Supported: ${SUPPORTED_RUNTIMES}.`
  );
}

/** The informative end of a loader's error: the dynamic linker's complaint, not the banner above it. */
function lastLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').map((line) => line.trim());
  return lines.filter((line) => line !== '').at(-1) ?? 'failed to load';
}
