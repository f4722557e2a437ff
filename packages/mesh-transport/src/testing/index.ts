// Test helpers for code built on a ClusterTransport: several nodes in one process, no sockets.
export { MemoryNetwork, MemoryTransport } from './MemoryTransport.js';
export {
  transportContract,
  type ContractCase,
  type ContractCluster,
  type TransportContractOptions,
} from './transportContract.js';
