// pnpm test:image: the meshpush container image built with podman on a locally imported base.
export { ensureBaseImage, ensurePodman, podman, PODMAN_GLOBAL, ULIMITS } from './podman.js';
