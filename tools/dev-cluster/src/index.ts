export { ensureBuilt, type BuildResult } from './build.js';
export { spawnNode, type ExitInfo, type NodeProcess, type NodeSpec, type ReadyInfo } from './node.js';
export { REPO_ROOT, SERVER_CLI } from './paths.js';
export {
  collectStatuses,
  fetchClusterStatus,
  meshFormed,
  waitForMesh,
  type ClusterStatus,
  type PeerStatus,
  type WaitForMeshOptions,
} from './status.js';
export { renderTable } from './table.js';
