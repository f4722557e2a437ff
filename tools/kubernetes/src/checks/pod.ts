import type { IContainer } from 'kubernetes-models/v1/Container';
import { SHUTDOWN_MARGIN_MS } from '../../../../apps/server/src/shutdown.js';
import { envOf, literal, secretValue, type Deployed } from '../objects.js';

/** What must never be a literal in a manifest. */
const FROM_SECRET = ['CLUSTER_SECRET', 'DEFAULT_APP_ID', 'DEFAULT_APP_KEY', 'DEFAULT_APP_SECRET'];
/** The built-in credentials, published in every README. */
const WELL_KNOWN = { DEFAULT_APP_KEY: 'app-key', DEFAULT_APP_SECRET: 'app-secret' } as const;

/**
 * The kubelet sends SIGKILL terminationGracePeriodSeconds after the preStop hook begins, so it
 * must cover the hook's sleep plus the longest drain meshpush allows itself
 * (SHUTDOWN_GRACE_PERIOD + SHUTDOWN_MARGIN_MS, after which it exits 1 on its own).
 */
export function drainProblems(d: Deployed): string[] {
  const graceMs = Number(literal(d.container, 'SHUTDOWN_GRACE_PERIOD'));
  if (!Number.isInteger(graceMs)) return ['SHUTDOWN_GRACE_PERIOD must be set, to compare it with the pod grace period'];
  const sleep = preStopSleepSeconds(d.container);
  if (sleep === undefined)
    return ['the container needs a preStop sleep, while load balancers learn the pod is leaving'];
  const killAfter = d.pod.terminationGracePeriodSeconds;
  const drain = sleep + (graceMs + SHUTDOWN_MARGIN_MS) / 1000;
  if (killAfter === undefined || killAfter <= drain) {
    return [
      `terminationGracePeriodSeconds (${killAfter}) must exceed preStop ${sleep} s + SHUTDOWN_GRACE_PERIOD ` +
        `${graceMs / 1000} s + ${SHUTDOWN_MARGIN_MS / 1000} s`,
    ];
  }
  return [];
}

/** `exec: [sleep, N]` (every image has sleep) or the `sleep` action of Kubernetes 1.30+. */
function preStopSleepSeconds(container: IContainer): number | undefined {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep !== undefined) return preStop.sleep.seconds;
  const [command, seconds, ...rest] = preStop?.exec?.command ?? [];
  if (!/^(\/usr)?(\/bin\/)?sleep$/.test(command ?? '') || rest.length > 0) return undefined;
  const parsed = Number(seconds);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
}

/** Credentials come from the Secret, by keys it defines, and are not the published defaults. */
export function secretProblems(d: Deployed): string[] {
  const problems: string[] = [];
  for (const name of FROM_SECRET) {
    if (envOf(d.container, name)?.valueFrom?.secretKeyRef === undefined) {
      problems.push(`${name} must come from the Secret (secretKeyRef), never a literal in the manifest`);
    }
  }
  for (const entry of d.container.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    if (ref === undefined) continue;
    if (ref.optional === true) problems.push(`${entry.name}: the secretKeyRef must not be optional`);
    if (secretValue(d.secret, ref.name, ref.key) === undefined) {
      problems.push(`${entry.name}: Secret ${ref.name} key ${ref.key} is not in secret.example.yaml`);
    }
  }
  for (const [name, builtIn] of Object.entries(WELL_KNOWN)) {
    const ref = envOf(d.container, name)?.valueFrom?.secretKeyRef;
    if (ref !== undefined && secretValue(d.secret, ref.name, ref.key) === builtIn) {
      problems.push(`${name}: the example Secret must not hold the well-known ${builtIn}`);
    }
  }
  return problems;
}

/** The pod runs as the image's USER, not as root, and cannot gain privileges. */
export function securityProblems(d: Deployed, containerfile: string): string[] {
  const user = /^USER\s+(\d+)(?::(\d+))?\s*$/m.exec(containerfile);
  if (user === null) return ['the Containerfile has no numeric USER to compare with'];
  const uid = Number(user[1]);
  const gid = user[2] === undefined ? uid : Number(user[2]);
  const own = d.container.securityContext;
  const pod = d.pod.securityContext;
  const problems: string[] = [];
  if ((own?.runAsUser ?? pod?.runAsUser) !== uid) problems.push(`runAsUser must be the image's USER ${uid}`);
  if ((own?.runAsGroup ?? pod?.runAsGroup) !== gid) problems.push(`runAsGroup must be the image's group ${gid}`);
  if ((own?.runAsNonRoot ?? pod?.runAsNonRoot) !== true) problems.push('runAsNonRoot must be true');
  if (own?.allowPrivilegeEscalation !== false) problems.push('allowPrivilegeEscalation must be false');
  return problems;
}

/** Requests for the scheduler, a memory limit for the node; the image is this version's. */
export function containerProblems(d: Deployed, version: string): string[] {
  const problems: string[] = [];
  const { requests = {}, limits = {} } = d.container.resources ?? {};
  for (const [kind, values] of [
    ['requests', requests],
    ['limits', limits],
  ] as const) {
    for (const resource of ['cpu', 'memory']) {
      if (values[resource] === undefined) problems.push(`resources.${kind}.${resource} must be set`);
    }
  }
  const image = `meshpush:${version}`;
  if (d.container.image !== image) problems.push(`image must be ${image} (the version of apps/server)`);
  return problems;
}
