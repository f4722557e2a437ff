import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { Manifests } from './load.js';

/** The manifests lack something every other check needs (the Deployment, its container). */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

/**
 * The objects of `base/` by role. The types are the schemas' own: only objects that passed
 * {@link schemaProblems} are read through them.
 */
export interface Deployed {
  readonly deployment: IDeployment;
  readonly pod: IPodSpec;
  readonly podLabels: Readonly<Record<string, string>>;
  /** The meshpush container (the only one). */
  readonly container: IContainer;
  readonly services: readonly IService[];
  readonly budgets: readonly IPodDisruptionBudget[];
  /** `secret.example.yaml`: the keys the real Secret must have. */
  readonly secret: ISecret;
}

/** A pod IP as the downward API would give it, for parsing `status.podIP` like any value. */
export const SAMPLE_POD_IP = '10.244.1.7';

export function baseObjects(manifests: Manifests): unknown[] {
  return Object.values(manifests.baseFiles).flat();
}

export function deployed(manifests: Manifests): Deployed {
  const objects = baseObjects(manifests);
  const deployments = ofKind<IDeployment>(objects, 'Deployment');
  const deployment = deployments[0];
  if (deployments.length !== 1 || deployment === undefined) {
    throw new ManifestError(`expected one Deployment in base/, found ${deployments.length}`);
  }
  const template = deployment.spec?.template;
  const containers = template?.spec?.containers ?? [];
  const container = containers[0];
  if (template?.spec === undefined || containers.length !== 1 || container === undefined) {
    throw new ManifestError(
      `Deployment ${deployment.metadata?.name}: expected one container, found ${containers.length}`,
    );
  }
  return {
    deployment,
    pod: template.spec,
    podLabels: template.metadata?.labels ?? {},
    container,
    services: ofKind<IService>(objects, 'Service'),
    budgets: ofKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget'),
    secret: manifests.secretExample as ISecret,
  };
}

function ofKind<T>(objects: readonly unknown[], kind: string): T[] {
  return objects.filter((object) => (object as { kind?: unknown } | null)?.kind === kind) as T[];
}

export function envOf(container: IContainer, name: string): IEnvVar | undefined {
  return container.env?.find((entry) => entry.name === name);
}

/** A variable's literal `value`, or undefined when it is unset or comes from elsewhere. */
export function literal(container: IContainer, name: string): string | undefined {
  return envOf(container, name)?.value;
}

/**
 * The value a variable would have in a pod: its literal, the example Secret's value for a
 * `secretKeyRef`, or {@link SAMPLE_POD_IP} for `status.podIP`. Undefined when it cannot be known.
 */
export function sampleValue(entry: IEnvVar, secret: ISecret): string | undefined {
  if (entry.valueFrom === undefined) return entry.value ?? '';
  const { secretKeyRef, fieldRef } = entry.valueFrom;
  if (secretKeyRef !== undefined) return secretValue(secret, secretKeyRef.name, secretKeyRef.key);
  if (fieldRef?.fieldPath === 'status.podIP') return SAMPLE_POD_IP;
  return undefined;
}

export function secretValue(secret: ISecret, name: string | undefined, key: string): string | undefined {
  if (name !== secret.metadata?.name) return undefined;
  const encoded = secret.data?.[key];
  return secret.stringData?.[key] ?? (encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString());
}

/** A port as a container declares it: a number, or the name of one of its `ports`. */
export function resolvePort(container: IContainer, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((declared) => declared.name === port)?.containerPort;
}

/** Whether a selector picks these pods: non-empty, and every label it asks for is on them. */
export function selects(
  selector: Readonly<Record<string, string>> | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  const wanted = Object.entries(selector ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels[key] === value);
}
