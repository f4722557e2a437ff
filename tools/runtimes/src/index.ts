// The Debian 13 root with the pinned Node releases: `pnpm test:runtimes` runs the server in it,
// and the container image test builds its base image from the same cached inputs.
export { baseImageTar } from './baseImage.js';
export { cacheDir, npmTarball, runtimeInputs, type RuntimeInputs } from './cache.js';
export { ROOT_NODE, RuntimeRoot } from './RuntimeRoot.js';
export { ensureDebianPackages, runtimesUnavailable, sh } from './system.js';
export { DEBIAN_ROOT, NODE_RELEASES, NPM_RELEASE, type NodeMajor, type NodeRelease } from './versions.js';
