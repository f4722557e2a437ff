import { createRequire } from 'node:module';
import uWS from 'uWebSockets.js';

/**
 * The uWebSockets.js package silently falls back to a slow JavaScript shim when its native
 * binary does not load (wrong Node ABI, libc, platform, or UWS_USE_FALLBACK set). meshpush
 * refuses to run on it: throughput would be a fraction and behaviour differs.
 */
export function assertNativeUws(): void {
  const require = createRequire(import.meta.url);
  const nativeLoaded = Object.keys(require.cache).some((path) => /[\\/]uws_[^\\/]+\.node$/.test(path));
  if (!nativeLoaded || typeof uWS.us_socket_local_port !== 'function') {
    throw new Error(
      `uWebSockets.js native binary did not load for Node ${process.version} (${process.platform}-${process.arch}, ` +
        `ABI ${process.versions.modules}); refusing to run on its JavaScript fallback. ` +
        'Use Node 20 on glibc >= 2.28 (linux x64/arm64) or macOS, and unset UWS_USE_FALLBACK.',
    );
  }
}

export { uWS };
