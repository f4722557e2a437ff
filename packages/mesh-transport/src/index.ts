export { Mesh } from './Mesh.js';
export { meshDefaults, DEFAULT_MESH_PORT, type MeshOptions, type ResolvedMeshOptions } from './options.js';
export type {
  ClusterTransport,
  ClusterTransportEvents,
  PeerInfo,
  RequestHandler,
  RequestReply,
  RequestingTransport,
  TransportPeerStats,
  TransportStats,
} from './ClusterTransport.js';
export type { MeshStats, PeerStats } from './stats.js';
export type { TrafficStats } from './Traffic.js';
export type { PeerDownReason } from './RouteTable.js';
export type { HostPort } from './address.js';
export { silentLogger, type Logger, type LogFields } from './logger.js';
export { Requests, type SendRequest } from './Requests.js';
export { Liveness, type Clock, type LivenessOptions } from './liveness/Liveness.js';
export { beatIntervalFor } from './liveness/beatInterval.js';
export { Heartbeat, systemHeartbeatTimers, type HeartbeatOptions, type HeartbeatTimers } from './liveness/Heartbeat.js';
export { FrameType, PROTOCOL_VERSION, type FrameTypeName } from './frames.js';
export { MeshTlsError, type MeshTlsOptions, type CertificateInfo } from './tls.js';
