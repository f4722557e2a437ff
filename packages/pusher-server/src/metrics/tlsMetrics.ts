import type { AdapterStatus } from '../adapter/Adapter.js';
import type { CertificateSummary } from '../uws/sslApp.js';
import { family, single, type MetricFamily, type Sample } from './exposition.js';

/**
 * Certificate expiry, as Unix timestamps: per listener (`client` = the WebSocket/HTTP port,
 * `mesh` = the earliest of this node's mesh certificate and CA), and the earliest of all, which
 * is the one to alert on (`… - time() < 14 * 86400`). Nothing without TLS.
 */
export function tlsFamilies(client: CertificateSummary | undefined, status: AdapterStatus): MetricFamily[] {
  const samples: Sample[] = [];
  if (client !== undefined) samples.push({ labels: { listener: 'client' }, value: seconds(client.validTo) });
  const mesh = meshEarliestExpiry(status);
  if (mesh !== undefined) samples.push({ labels: { listener: 'mesh' }, value: seconds(mesh) });
  if (samples.length === 0) return [];
  return [
    family(
      'tls_certificate_expiry_timestamp_seconds',
      'gauge',
      'End of validity of the TLS certificates in use, per listener (Unix time).',
      samples,
    ),
    single(
      'tls_earliest_certificate_expiry_timestamp_seconds',
      'gauge',
      'The earliest end of validity among the TLS certificates in use (Unix time).',
      Math.min(...samples.map((s) => s.value)),
    ),
  ];
}

/** `transport.tls.earliestExpiry` of a mesh status (read defensively: `transport` is untyped). */
function meshEarliestExpiry(status: AdapterStatus): string | undefined {
  const tls = (status.transport as { tls?: { earliestExpiry?: unknown } | null } | undefined)?.tls;
  return typeof tls?.earliestExpiry === 'string' ? tls.earliestExpiry : undefined;
}

function seconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}
