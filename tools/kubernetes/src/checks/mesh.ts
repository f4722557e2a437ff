import type { IService } from 'kubernetes-models/v1/Service';
import { envOf, literal, resolvePort, type Deployed } from '../objects.js';

/**
 * The mesh: the cluster adapter, seeds that name a headless Service on the mesh port, and a
 * CLUSTER_HOST the other pods can dial.
 */
export function meshProblems(d: Deployed): string[] {
  const problems: string[] = [];
  if (literal(d.container, 'ADAPTER_DRIVER') !== 'cluster') problems.push('ADAPTER_DRIVER must be cluster');
  const port = Number(literal(d.container, 'CLUSTER_PORT'));
  const seeds = literal(d.container, 'CLUSTER_SEEDS');
  if (seeds === undefined) return [...problems, 'CLUSTER_SEEDS is not set: pods on other machines cannot meet'];
  for (const entry of seeds.split(',').map((seed) => seed.trim())) {
    const [host = '', seedPort] = entry.split(':');
    if (Number(seedPort) !== port) problems.push(`CLUSTER_SEEDS ${entry}: the port must be CLUSTER_PORT (${port})`);
    const service = d.services.find(({ metadata }) => host === metadata?.name || host.startsWith(`${metadata?.name}.`));
    if (service === undefined) problems.push(`CLUSTER_SEEDS ${entry}: names no Service of base/`);
    else problems.push(...headlessProblems(service, d, port));
  }
  return [...problems, ...clusterHostProblems(d)];
}

function headlessProblems(service: IService, d: Deployed, clusterPort: number): string[] {
  const name = `Service ${service.metadata?.name} (CLUSTER_SEEDS)`;
  const problems: string[] = [];
  if (service.spec?.clusterIP !== 'None') {
    problems.push(`${name} must be headless (clusterIP: None), so that its name resolves to every pod`);
  }
  if (service.spec?.publishNotReadyAddresses !== true) {
    problems.push(`${name} must set publishNotReadyAddresses: true: starting pods are not ready, yet must meet`);
  }
  const ports = service.spec?.ports ?? [];
  const meshPort = ports.find(
    (p) => p.port === clusterPort && resolvePort(d.container, p.targetPort ?? p.port) === clusterPort,
  );
  if (meshPort === undefined) problems.push(`${name} has no port ${clusterPort} to the container's CLUSTER_PORT`);
  return problems;
}

/** The mesh announces CLUSTER_HOST to its peers: loopback or a fixed address would be undialable. */
function clusterHostProblems(d: Deployed): string[] {
  const entry = envOf(d.container, 'CLUSTER_HOST');
  if (entry === undefined || entry.valueFrom?.fieldRef?.fieldPath === 'status.podIP') return [];
  if (entry.value === '0.0.0.0' || entry.value === '::') return [];
  return ['CLUSTER_HOST must be the pod IP (fieldRef status.podIP) or 0.0.0.0: the other pods dial what it announces'];
}
