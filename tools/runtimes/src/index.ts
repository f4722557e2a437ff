// The Debian 13 root with the pinned Node releases: `pnpm test:runtimes` runs the server in it,
// and the container image test builds its base image from the same cached inputs.
export { cacheDir, runtimeInputs, type RuntimeInputs } from './cache.js';
export { ROOT_NODE, RuntimeRoot } from './RuntimeRoot.js';
export { ensureDebianPackages, runtimesUnavailable, sh } from './system.js';
export { DEBIAN_ROOT, NODE_RELEASES, type NodeMajor, type NodeRelease } from './versions.js';
