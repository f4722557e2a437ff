import type { TransportPeerStats, TransportStats } from './ClusterTransport.js';
import type { CertificateInfo } from './tls.js';
import type { TrafficStats } from './Traffic.js';

/** One up peer, as seen by this node. */
export interface PeerStats extends TransportPeerStats, TrafficStats {
  /** Where the peer's routes listen, `host:port`. */
  readonly address: string;
  /** The other end of the TCP connection. */
  readonly remoteAddress: string;
  /** Whether this node opened the connection. */
  readonly dialed: boolean;
  /** Time since this route came up. */
  readonly uptimeMs: number;
  /** Outbound bytes not yet on the wire (the slow-consumer limit applies to this). */
  readonly queuedBytes: number;
  /** Subjects this peer subscribes to. */
  readonly subjects: number;
  /** Null on a plain route; on a TLS route, the certificate the peer presented. */
  readonly tls: { readonly peerCertificate: CertificateInfo | null } | null;
}

/** `Mesh.stats()`: the node, its rendezvous, every route with its traffic, and totals since start. */
export interface MeshStats extends TransportStats {
  readonly clusterName: string;
  /** Where this node's routes listen, `host:port`. */
  readonly address: string;
  /** The well-known rendezvous address, or null when `port` is 0. */
  readonly rendezvous: string | null;
  /** Whether this node holds the rendezvous port. */
  readonly holdsRendezvous: boolean;
  /** Subjects this node subscribes to. */
  readonly subjects: number;
  readonly peers: readonly PeerStats[];
  /** Open TCP connections, handshakes included. */
  readonly routes: number;
  /** Traffic of every route since start, closed ones included. */
  readonly totals: TrafficStats;
  /** Routes closed because the peer did not read fast enough. */
  readonly slowConsumers: number;
  /** Routes refused in the handshake (wrong secret, cluster name or version, TLS failure). */
  readonly refusedRoutes: number;
  /**
   * Null without mesh TLS; otherwise this node's certificate and the earliest end of validity
   * (ISO 8601) among it and the CA certificates.
   */
  readonly tls: { readonly certificate: CertificateInfo; readonly earliestExpiry: string } | null;
}
