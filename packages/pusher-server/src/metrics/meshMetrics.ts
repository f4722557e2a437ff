import type { AdapterStatus } from '../adapter/Adapter.js';
import { brokerFamilies } from './brokerMetrics.js';
import { family, single, type MetricFamily, type Sample } from './exposition.js';

/** The peer figures the mesh transport reports in `stats()` (read defensively: `transport` is untyped). */
interface PeerFigures {
  readonly nodeId: string;
  readonly rttMs: number | null;
  readonly queuedBytes?: number;
  readonly bytesIn?: number;
  readonly bytesOut?: number;
  readonly framesIn?: number;
  readonly framesOut?: number;
  /** Broker transports: time since the peer was last heard (heartbeat age). */
  readonly lastHeardAgoMs?: number;
}

interface PeerMetric {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly read: (peer: PeerFigures) => number | null | undefined;
}

const PEER_METRICS: readonly PeerMetric[] = [
  {
    name: 'mesh_peer_rtt_seconds',
    type: 'gauge',
    help: 'Last heartbeat round trip to the peer, in seconds.',
    read: (p) => (p.rttMs === null ? null : p.rttMs / 1000),
  },
  {
    name: 'mesh_peer_queued_bytes',
    type: 'gauge',
    help: 'Bytes queued for the peer and not yet written (queue depth).',
    read: (p) => p.queuedBytes,
  },
  {
    name: 'mesh_peer_received_bytes_total',
    type: 'counter',
    help: 'Bytes received from the peer on its current route.',
    read: (p) => p.bytesIn,
  },
  {
    name: 'mesh_peer_sent_bytes_total',
    type: 'counter',
    help: 'Bytes sent to the peer on its current route.',
    read: (p) => p.bytesOut,
  },
  {
    name: 'mesh_peer_received_frames_total',
    type: 'counter',
    help: 'Frames received from the peer on its current route.',
    read: (p) => p.framesIn,
  },
  {
    name: 'mesh_peer_sent_frames_total',
    type: 'counter',
    help: 'Frames sent to the peer on its current route.',
    read: (p) => p.framesOut,
  },
  {
    name: 'mesh_peer_heartbeat_age_seconds',
    type: 'gauge',
    help: 'Time since the peer was last heard (broker transports).',
    read: (p) => (p.lastHeardAgoMs === undefined ? undefined : p.lastHeardAgoMs / 1000),
  },
];

/**
 * Mesh figures from the adapter's status: nothing for the local adapter; for a cluster adapter
 * the number of peers, and per peer (label `peer`, its node id) RTT, queue depth and traffic.
 */
export function meshFamilies(status: AdapterStatus): MetricFamily[] {
  const transport = status.transport;
  if (!isRecord(transport) || !Array.isArray(transport.peers)) return [];
  const peers = transport.peers.filter(isPeer);
  const families: MetricFamily[] = [
    single('mesh_peers', 'gauge', 'Peers this node has a live route to.', peers.length),
  ];
  for (const metric of PEER_METRICS) {
    const samples: Sample[] = [];
    for (const peer of peers) {
      const value = metric.read(peer);
      if (typeof value === 'number') samples.push({ labels: { peer: peer.nodeId }, value });
    }
    families.push(family(metric.name, metric.type, metric.help, samples));
  }
  const extra: Array<[string, string]> = [
    ['slowConsumers', 'Routes closed because the peer did not read fast enough.'],
    ['refusedRoutes', 'Routes refused at the handshake (secret, cluster name or version).'],
  ];
  for (const [field, help] of extra) {
    const value = transport[field];
    if (typeof value === 'number') families.push(single(`mesh_${snake(field)}_total`, 'counter', help, value));
  }
  return [...families, ...brokerFamilies(status)];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isPeer(value: unknown): value is PeerFigures {
  return isRecord(value) && typeof value.nodeId === 'string';
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
