export { Lab, type LabOptions } from './Lab.js';
export { spawnInHost, type LabProcess, type SpawnInHostOptions } from './LabProcess.js';
export {
  findHost,
  findLink,
  HEADLESS_NAME,
  hostsFile,
  LAB_PREFIX,
  LAB_RANGE,
  linksOf,
  planLab,
  SERVICE_INTERFACE,
  type LabHost,
  type LabLink,
  type LabPlan,
} from './plan.js';
export { labUnavailableReason, removeLabLeftovers, rootNamespaceBlocks } from './system.js';
export {
  CLI_PATH,
  LAB_TIMING,
  MESH_PORT,
  meshNodeEnv,
  SERVER_PORT,
  startMeshNode,
  type MeshNode,
  type MeshNodeOptions,
} from './meshNode.js';
export { ClientDriver } from './ClientDriver.js';
export { countLoss, type LoadLog, type LossCount, type SentEvent } from './loss.js';
export { formatTable, seconds, type ScenarioRow } from './report.js';
