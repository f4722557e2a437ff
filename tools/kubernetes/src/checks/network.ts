import { literal, resolvePort, selects, type Deployed } from '../objects.js';

/** The settings that open a port, and what each port is for. */
const PORT_SETTINGS = { PORT: 'WebSocket + HTTP API', METRICS_SERVER_PORT: 'metrics', CLUSTER_PORT: 'mesh' } as const;

/**
 * Each port meshpush opens is set explicitly and declared by the container, the container
 * declares no other, and the image EXPOSEs the same ones.
 */
export function portProblems(d: Deployed, containerfile: string): string[] {
  const problems: string[] = [];
  const declared = (d.container.ports ?? []).map((port) => port.containerPort);
  const opened: number[] = [];
  for (const [name, what] of Object.entries(PORT_SETTINGS)) {
    const port = Number(literal(d.container, name));
    if (!Number.isInteger(port) || port <= 0) problems.push(`${name} (${what}) must be set to a port number`);
    else if (!declared.includes(port)) problems.push(`${name}=${port} (${what}) is not a container port`);
    opened.push(port);
  }
  for (const port of declared.filter((p) => !opened.includes(p))) {
    problems.push(`container port ${port} is none of ${Object.keys(PORT_SETTINGS).join(', ')}`);
  }
  const exposed = /^EXPOSE\s+(.+)$/m.exec(containerfile)?.[1]?.trim().split(/\s+/).map(Number) ?? [];
  if (sorted(exposed) !== sorted(declared)) {
    problems.push(`container ports ${declared.join(', ')} differ from the Containerfile's EXPOSE ${exposed.join(' ')}`);
  }
  return problems;
}

/** Every Service, the Deployment, the budget and the spread constraint select the pods. */
export function selectorProblems(d: Deployed): string[] {
  const selectors: [string, Readonly<Record<string, string>> | undefined][] = [
    [`Deployment ${d.deployment.metadata?.name}`, d.deployment.spec?.selector.matchLabels],
    ...d.services.map((s): [string, Record<string, string> | undefined] => [
      `Service ${s.metadata?.name}`,
      s.spec?.selector,
    ]),
    ...d.budgets.map((b): [string, Record<string, string> | undefined] => [
      `PodDisruptionBudget ${b.metadata?.name}`,
      b.spec?.selector?.matchLabels,
    ]),
    ...(d.pod.topologySpreadConstraints ?? []).map((c): [string, Record<string, string> | undefined] => [
      `topologySpreadConstraint ${c.topologyKey}`,
      c.labelSelector?.matchLabels,
    ]),
  ];
  return selectors
    .filter(([, selector]) => !selects(selector, d.podLabels))
    .map(([name, selector]) => `${name}: selector ${JSON.stringify(selector ?? {})} does not select the pod labels`);
}

/** A Service besides the headless one takes clients to PORT, and only there. */
export function clientServiceProblems(d: Deployed): string[] {
  const clients = d.services.filter((service) => service.spec?.clusterIP !== 'None');
  if (clients.length === 0) return ['no client Service (one that is not headless) for PORT'];
  const port = Number(literal(d.container, 'PORT'));
  const internal = [Number(literal(d.container, 'CLUSTER_PORT')), Number(literal(d.container, 'METRICS_SERVER_PORT'))];
  return clients.flatMap((service) => {
    const targets = (service.spec?.ports ?? []).map((p) => resolvePort(d.container, p.targetPort ?? p.port));
    const name = `Service ${service.metadata?.name}`;
    if (!targets.includes(port)) return [`${name} does not lead to PORT (${port})`];
    return targets
      .filter((t) => t !== undefined && internal.includes(t))
      .map((t) => `${name} exposes port ${t} to clients`);
  });
}

/** Metrics on, and the scrape annotations point at the metrics port. */
export function metricsProblems(d: Deployed): string[] {
  const problems: string[] = [];
  if (literal(d.container, 'METRICS_ENABLED') !== 'true') problems.push('METRICS_ENABLED must be "true"');
  const annotations = d.deployment.spec?.template.metadata?.annotations ?? {};
  const expected = {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': literal(d.container, 'METRICS_SERVER_PORT'),
    'prometheus.io/path': '/metrics',
  };
  for (const [key, value] of Object.entries(expected)) {
    if (annotations[key] !== value) problems.push(`pod annotation ${key} must be ${String(value)}`);
  }
  return problems;
}

/**
 * Readiness is `GET /ready` on PORT (503 from the start of a drain). Liveness must not be: a
 * drain or a lost broker turns /ready to 503, and restarting for that drops every client.
 */
export function probeProblems(d: Deployed): string[] {
  const problems: string[] = [];
  const port = Number(literal(d.container, 'PORT'));
  const readiness = d.container.readinessProbe?.httpGet;
  if (readiness?.path !== '/ready' || resolvePort(d.container, readiness.port) !== port) {
    problems.push(`the readiness probe must be GET /ready on PORT (${port})`);
  }
  const liveness = d.container.livenessProbe?.httpGet;
  if (liveness !== undefined && (liveness.path === '/ready' || resolvePort(d.container, liveness.port) !== port)) {
    problems.push(`the liveness probe must be an HTTP path other than /ready on PORT (${port})`);
  }
  return problems;
}

function sorted(ports: readonly (number | undefined)[]): string {
  return [...ports].sort((a = 0, b = 0) => a - b).join();
}
